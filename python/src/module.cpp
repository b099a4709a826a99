// The native half of the Python package `aaco` (imported as aaco._aaco).
//
// Bindings, not a second implementation: every number, every check and every error message comes
// from the C++ library. Envelopes cross the boundary as aaco's own JSON text (io/json.hpp), which
// the C++ reader validates on the way in and the C++ writer produces on the way out, so the Python
// side never re-derives a figure. The pure-Python modules (aaco/*.py) only wrap these calls in the
// seed card's API.
//
// Compiled with the backend of the configuration that builds it: g++ (host-only: profiles, math,
// I/O), nvcc (CUDA) or hipcc (HIP), which add calibration and measure().
#include <aaco/aaco.hpp>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

/// Which GPU runtime this module was compiled with.
constexpr const char* backend_name() {
#if AACO_BACKEND_CUDA
    return "cuda";
#elif AACO_BACKEND_HIP
    return "hip";
#else
    return "none";
#endif
}

aaco::envelope envelope_of(const std::string& json_text) {
    return aaco::envelope_from_json(json_text);  // throws aaco::parse_error -> aaco.ParseError
}

std::string json_of(const aaco::envelope& e) { return aaco::to_json(e); }

/// Precision and level names are parsed by the library, case-insensitively as the CLI does.
std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

aaco::precision precision_of(const std::string& name) { return aaco::parse_precision(lower(name)); }
aaco::memory_level level_of(const std::string& name) { return aaco::parse_memory_level(lower(name)); }

py::dict heu_dict(const aaco::heu_result& r) {
    py::dict d;
    d["value"] = r.value;
    d["attainable_tflops"] = r.attainable_tflops;
    d["binding_ceiling"] = r.binding_ceiling;
    d["bound"] = std::string(r.b == aaco::bound::compute ? "compute" : "memory");
    d["above_roof"] = r.above_roof;
    return d;
}

py::list profile_list() {
    py::list out;
    for (const aaco::profile& p : aaco::profile_table) {
        py::dict d;
        d["key"] = std::string(p.key);
        d["name"] = std::string(p.name);
        d["vendor"] = std::string(p.vendor);
        d["arch"] = std::string(p.arch);
        d["source"] = std::string(p.source);
        out.append(std::move(d));
    }
    return out;
}

std::string svg_of(const std::string& json_text,
                   const std::vector<std::tuple<std::string, double, double, double>>& points) {
    std::vector<aaco::svg_point> pts;
    for (const auto& [label, ai, tflops, heu] : points) {
        aaco::svg_point p;
        p.label = label;
        p.ai = ai;
        p.tflops = tflops;
        p.heu = heu;
        pts.push_back(std::move(p));
    }
    return aaco::to_svg(envelope_of(json_text), pts);
}

#if !AACO_BACKEND_NONE
/// Options dict from Python -> calibration_options. Keys are checked on the Python side.
aaco::calibration_options options_of(const py::dict& o, py::object progress) {
    aaco::calibration_options opt;
    if (o.contains("quick")) opt.quick = o["quick"].cast<bool>();
    if (o.contains("cold") && o["cold"].cast<bool>()) opt.operands = aaco::operand_mode::zero;
    if (o.contains("precisions"))
        for (const auto& p : o["precisions"].cast<std::vector<std::string>>())
            opt.precisions.push_back(precision_of(p));
    if (o.contains("levels"))
        for (const auto& l : o["levels"].cast<std::vector<std::string>>())
            opt.levels.push_back(level_of(l));
    if (o.contains("sustained_seconds"))
        opt.sustained_seconds = o["sustained_seconds"].cast<double>();  // checked on the Python side
    if (o.contains("time_budget_seconds"))
        opt.time_budget_seconds = o["time_budget_seconds"].cast<double>();
    if (!progress.is_none()) {
        // Called from the calibrating thread, which holds no GIL while measuring.
        opt.progress = [progress](const aaco::progress_event& ev) {
            py::gil_scoped_acquire gil;
            progress(ev.key, ev.index, ev.total, ev.status, ev.elapsed_seconds);
        };
    }
    return opt;
}

/// The calibrator, holding the device it opened.
class calibrator {
public:
    explicit calibrator(int device_id) : impl_(device_id) {}
    std::string device_name() const { return impl_.device().name; }
    int device_id() const { return impl_.device().id; }
    std::string calibrate(const py::dict& options, py::object progress) {
        const aaco::calibration_options opt = options_of(options, std::move(progress));
        aaco::envelope e;
        {
            py::gil_scoped_release release;
            e = impl_.calibrate(opt);
        }
        return json_of(e);
    }
    std::pair<std::string, std::string> load_or_calibrate(const std::string& path,
                                                          const py::dict& options,
                                                          py::object progress,
                                                          double max_age_hours) {
        const aaco::calibration_options opt = options_of(options, std::move(progress));
        aaco::cache_policy policy;
        policy.max_age_hours = max_age_hours;
        aaco::cache_outcome outcome;
        aaco::envelope e;
        {
            py::gil_scoped_release release;
            e = impl_.load_or_calibrate(path, opt, policy, &outcome);
        }
        return {json_of(e), outcome.reason};
    }

private:
    aaco::hardware_calibrator impl_;
};

/// Times `launch(stream_handle)` with aaco::measure (events, warm-up, stopping rule) on the
/// caller's stream (`stream`: a cudaStream_t / hipStream_t as an integer, 0 = the legacy default
/// stream) or, when None, on a stream aaco creates; the Python side makes torch enqueue on it.
py::dict measure_callable(const std::string& envelope_json, py::function launch, double flops,
                          double bytes, const std::string& precision, const std::string& level,
                          bool quick, std::optional<std::uintptr_t> stream) {
    const aaco::envelope env = envelope_of(envelope_json);
    aaco::measure_options opt;
    opt.quick = quick;
    opt.level = level_of(level);
    if (stream) {
        opt.on_caller_stream = true;
        opt.caller_stream = reinterpret_cast<void*>(*stream);
    }
    auto call = [&launch](aaco::backend::native_stream s) {
        launch(reinterpret_cast<std::uintptr_t>(s));
    };
    const aaco::measurement_result r =
        aaco::measure(env, call, flops, bytes, precision_of(precision), opt);
    py::dict d;
    d["seconds"] = r.seconds_per_launch;
    d["achieved_tflops"] = r.achieved_tflops;
    d["achieved_gbps"] = r.achieved_gbps;
    d["arithmetic_intensity"] = r.arithmetic_intensity;
    d["heu"] = heu_dict(r.heu);
    d["above_hbm_roof"] = r.above_hbm_roof;
    d["samples"] = r.stats.samples;
    d["median_seconds"] = r.stats.median;
    d["min_seconds"] = r.stats.min;
    d["max_seconds"] = r.stats.max;
    d["cov"] = r.stats.cov;
    d["iqr_seconds"] = r.stats.iqr;
    d["stable"] = r.stats.stable;
    return d;
}
#endif

} // namespace

PYBIND11_MODULE(_aaco, m) {
    m.doc() = "Native bindings of aaco (use the `aaco` package, not this module).";
    m.attr("__version__") = AACO_VERSION_STRING;
    m.attr("backend") = backend_name();

    // Exceptions: base first, so that the more specific translators (registered later, tried
    // first) win. aaco::invalid_argument becomes Python's ValueError.
    static py::exception<aaco::error> aaco_error(m, "AacoError", PyExc_RuntimeError);
    static py::exception<aaco::no_device_error> no_device(m, "NoDeviceError", aaco_error.ptr());
    static py::exception<aaco::unsupported_arch_error> unsupported(m, "UnsupportedArchError",
                                                                  aaco_error.ptr());
    static py::exception<aaco::parse_error> parse(m, "ParseError", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const aaco::no_device_error& e) {
            PyErr_SetString(no_device.ptr(), e.what());
        } catch (const aaco::unsupported_arch_error& e) {
            PyErr_SetString(unsupported.ptr(), e.what());
        } catch (const aaco::parse_error& e) {
            PyErr_SetString(parse.ptr(), e.what());
        } catch (const aaco::invalid_argument& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const aaco::error& e) {
            PyErr_SetString(aaco_error.ptr(), e.what());
        }
    });

    m.def("profiles", &profile_list, "Every datasheet profile: key, name, vendor, arch, source.");
    m.def("datasheet_envelope", [](const std::string& name) {
        return json_of(aaco::datasheet_envelope(name));
    }, "The datasheet envelope of a profile (key, alias or runtime name) as aaco JSON.");
    m.def("normalize", [](const std::string& text) { return json_of(envelope_of(text)); },
          "Reads an envelope (aaco or seed-format JSON) and writes it back as aaco JSON.");
    m.def("load", [](const std::string& path) { return json_of(aaco::load_envelope(path)); },
          "Loads an envelope file (aaco or seed-format JSON) as aaco JSON.");
    m.def("save", [](const std::string& text, const std::string& path) {
        aaco::save_envelope(envelope_of(text), path);
    }, "Saves an envelope atomically.");
    m.def("to_markdown", [](const std::string& text) { return aaco::to_markdown(envelope_of(text)); });
    m.def("to_svg", &svg_of, py::arg("envelope_json"), py::arg("points"));
    m.def("heu", [](const std::string& text, double tflops, double ai, const std::string& p,
                    const std::string& l) {
        return heu_dict(aaco::heu(envelope_of(text), tflops, ai, precision_of(p), level_of(l)));
    });
    m.def("attainable", [](const std::string& text, double ai, const std::string& p,
                           const std::string& l) {
        const aaco::envelope e = envelope_of(text);
        return aaco::attainable_tflops(e.compute_tflops(precision_of(p)), e.memory_gbps(level_of(l)), ai);
    });
    m.def("ridge_point", [](const std::string& text, const std::string& p, const std::string& l) {
        const aaco::envelope e = envelope_of(text);
        return aaco::ridge_point(e.compute_tflops(precision_of(p)), e.memory_gbps(level_of(l)));
    });
    m.def("parse_precision", [](const std::string& p) { return std::string(aaco::to_string(precision_of(p))); });
    m.def("parse_level", [](const std::string& l) { return std::string(aaco::to_string(level_of(l))); });
    m.def("no_backend_message", [] {
        // The library's own wording for a host-only build (probes::open_device).
        try {
            (void)aaco::probes::open_device(0);
        } catch (const aaco::no_device_error& e) {
            return std::string(e.what());
        }
        return std::string();
    });
#if !AACO_BACKEND_NONE
    py::class_<calibrator>(m, "Calibrator")
        .def(py::init<int>(), py::arg("device_id"))
        .def_property_readonly("device_name", &calibrator::device_name)
        .def_property_readonly("device_id", &calibrator::device_id)
        .def("calibrate", &calibrator::calibrate, py::arg("options"), py::arg("progress"))
        .def("load_or_calibrate", &calibrator::load_or_calibrate, py::arg("path"),
             py::arg("options"), py::arg("progress"), py::arg("max_age_hours"));
    m.def("measure", &measure_callable, py::arg("envelope_json"), py::arg("launch"),
          py::arg("flops"), py::arg("bytes"), py::arg("precision"), py::arg("level"),
          py::arg("quick"), py::arg("stream") = py::none());
#endif
    // Opens (and so checks) a device: in a host-only build this raises NoDeviceError with the
    // library's message, in a GPU build it names the runtime's cause (no driver, no device, ...).
    m.def("open_device", [](int id) { (void)aaco::probes::open_device(id); });
}
