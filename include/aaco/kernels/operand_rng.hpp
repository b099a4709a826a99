/// \file kernels/operand_rng.hpp
/// \brief The deterministic generator that fills the compute kernels' operand tables (NVIDIA
/// wgmma and AMD MFMA / vector FMA alike), so that runs are repeatable. Plain C++.
#pragma once
#include <aaco/config.hpp>

#include <cstdint>

AACO_NAMESPACE_BEGIN
namespace kernels {

/// splitmix64: small, fast, and good enough for operand values (not for statistics).
class operand_rng {
public:
    explicit operand_rng(std::uint64_t seed) : state_(seed) {}

    /// The next 64 random bits.
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    /// Uniform in [-1, 1], from the top 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53 * 2.0 - 1.0; }
    /// Uniform in [-1, 1] as a float, from the top 24 bits (every value exact in float).
    float uniform_float() { return static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f; }
    /// Uniform over the 256 int8 values [-128, 127] (the top 8 bits).
    int int8() { return static_cast<int>(next() >> 56) - 128; }
    /// Uniform integer in [lo, hi] (lo <= hi).
    int integer(int lo, int hi) {
        return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

private:
    std::uint64_t state_;
};

} // namespace kernels
AACO_NAMESPACE_END
