# The seed card's Usage block, verbatim (../shared/seed/000_6158a43703d5c157.txt).
# test_card_example.py checks that this copy still matches the card where the card is present.
from aaco.calibration import HardwareCalibrator

calibrator = HardwareCalibrator(device_id=0)

# Run microbenchmarks
envelope = calibrator.calibrate()

print(f"Compute ceiling: {envelope.compute_tflops} TFLOPS")
print(f"Memory ceiling: {envelope.memory_gbps} GB/s")
print(f"Launch floor: {envelope.launch_us} μs")

# Calculate HEU for a workload
heu = calibrator.compute_heu(
    measured_tflops=800,
    arithmetic_intensity=150
)
print(f"HEU: {heu:.1%}")
