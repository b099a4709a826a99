// aaco's exception types (error.hpp): which standard handlers catch each.
#include <aaco/error.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace {

/// Which of the usual handlers, tried in this order, catches what `fn` throws.
template <class Fn>
std::string first_handler(Fn&& fn) {
    try {
        fn();
    } catch (const std::invalid_argument&) {
        return "std::invalid_argument";
    } catch (const aaco::error&) {
        return "aaco::error";
    } catch (const std::exception&) {
        return "std::exception";
    } catch (...) {
        return "...";
    }
    return "nothing thrown";
}

} // namespace

TEST_CASE("error: invalid_argument is a std::invalid_argument with one std::exception base") {
    static_assert(std::is_base_of_v<std::invalid_argument, aaco::invalid_argument>);
    static_assert(std::is_base_of_v<std::logic_error, aaco::invalid_argument>);
    // Not also an aaco::error (a std::runtime_error): two std::exception bases would make
    // `catch (const std::exception&)` miss it.
    static_assert(!std::is_base_of_v<aaco::error, aaco::invalid_argument>);
    CHECK(first_handler([] { (void)aaco::find_profile("nosuch"); }) == "std::invalid_argument");
    bool caught = false;
    try {
        (void)aaco::find_profile("nosuch");
    } catch (const std::exception& e) {
        caught = std::string(e.what()).find("nosuch") != std::string::npos;
    }
    CHECK(caught);
}

TEST_CASE("error: the other aaco exceptions are aaco::error and std::runtime_error") {
    static_assert(std::is_base_of_v<std::runtime_error, aaco::error>);
    static_assert(std::is_base_of_v<aaco::error, aaco::runtime_error>);
    static_assert(std::is_base_of_v<aaco::error, aaco::no_device_error>);
    static_assert(std::is_base_of_v<aaco::error, aaco::unsupported_arch_error>);
    static_assert(std::is_base_of_v<aaco::error, aaco::parse_error>);
    CHECK(first_handler([] { throw aaco::no_device_error("no GPU"); }) == "aaco::error");
    CHECK(first_handler([] { throw aaco::parse_error("bad file"); }) == "aaco::error");
    CHECK(first_handler([] { throw aaco::runtime_error("call failed", 2); }) == "aaco::error");
}
