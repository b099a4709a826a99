# CLI cases of --export, --envelope, --ncu and --compare (included from tests/cli/CMakeLists.txt,
# which defines aaco_cli_case, _tool and _out). No GPU needed: envelopes come from --profile or
# from tests/fixtures.
set(_fx ${PROJECT_SOURCE_DIR}/tests/fixtures)
set(_h200 ${_fx}/export/synthetic_h200.json)

# ---- --export: each format to stdout, all formats to files ----
aaco_cli_case(export_rocprof_stdout ARGS
  --not "^# Hardware envelope"
  0 "^device,HBMBw,HBMBwLow,HBMBwHigh,FP32Flops,.*MFMAF16Flops,MFMAF16FlopsLow,MFMAF16FlopsHigh"
  -- ${_tool} --profile mi300x --export rocprof-csv:-)
aaco_cli_case(export_ert_stdout ARGS --not "^# Hardware envelope"
  0 "\"FP16 matrix GFLOPs\"" -- ${_tool} --profile mi300x --export ert-json:-)
aaco_cli_case(export_prometheus_stdout ARGS --not "^# Hardware envelope"
  0 "^aaco_compute_ceiling_ops_per_second\\{.*model=\"AMD Instinct MI300X\",source=\"datasheet\",precision=\"fp16\",unit=\"matrix\",stable=\"unknown\"\\} 1\\.3074e\\+15$"
  -- ${_tool} --profile mi300x --export prometheus:-)
aaco_cli_case(export_csv_stdout ARGS 0 "^compute\\.fp16\\.matrix,compute,fp16,matrix,.*,1307\\.4,.*,TFLOP/s,"
  -- ${_tool} --profile mi300x --export csv:-)
aaco_cli_case(export_all_to_files SETUP cli_exports ARGS
  --file ${_out}/mi300x.roofline.csv "^0,5324\\.8,,,"
  --file ${_out}/mi300x.roofline.json "\"spec\""
  --file ${_out}/mi300x.prom "^# TYPE aaco_memory_bandwidth_bytes_per_second gauge$"
  --file ${_out}/mi300x.csv "^memory\\.hbm\\.read,memory,"
  0 "^# Hardware envelope: AMD Instinct MI300X"
  -- ${_tool} --profile mi300x --export rocprof-csv:${_out}/mi300x.roofline.csv
     --export ert-json:${_out}/mi300x.roofline.json --export prometheus:${_out}/mi300x.prom
     --export csv:${_out}/mi300x.csv)
# The issue's command with three documents on stdout: refused (one document per stream), with
# the way out in the message.
aaco_cli_case(export_three_to_stdout_refused ARGS
  2 "--export rocprof-csv:-, --export ert-json:-, --export prometheus:-: more than one output to stdout.*run once per format"
  -- ${_tool} --profile mi300x --export rocprof-csv:- --export ert-json:- --export prometheus:-)
aaco_cli_case(export_and_json_to_stdout_refused ARGS 2 "--json -, --export csv:-: more than one output to stdout"
  -- ${_tool} --profile mi300x --json - --export csv:-)
# Checked before any device work: the export error, not "no GPU".
aaco_cli_case(export_bad_format ARGS --not "GPU backend"
  2 "--export 'rocprof:x.csv': unknown export format 'rocprof'" -- ${_tool} --export rocprof:x.csv)
aaco_cli_case(export_missing_directory ARGS --not "GPU backend"
  2 "directory '/nonexistent-aaco-dir' does not exist" -- ${_tool} --export csv:/nonexistent-aaco-dir/x.csv)
aaco_cli_case(export_no_file ARGS 2 "FILE is empty" -- ${_tool} --profile mi300x --export prometheus:)
aaco_cli_case(export_with_sweep_refused ARGS 2 "--sweep reports a working-set sweep"
  -- ${_tool} --sweep --export csv:-)

# ---- --envelope: a saved envelope instead of measuring; round trip of roofline.csv ----
aaco_cli_case(envelope_exports_roofline SETUP cli_h200_roofline ARGS
  --file ${_out}/h200.roofline.csv "^0,4732,4661\\.02,4788\\.784,14276,"
  0 - -- ${_tool} --envelope ${_h200} --export rocprof-csv:${_out}/h200.roofline.csv)
aaco_cli_case(envelope_roofline_reads_back REQUIRES cli_h200_roofline ARGS
  0 "^0,4732,4661\\.02,4788\\.784,14276,14061\\.86,14447\\.312,32774,"
  -- ${_tool} --envelope ${_out}/h200.roofline.csv --export rocprof-csv:-)
aaco_cli_case(envelope_and_profile_refused ARGS 2 "--envelope and --profile both give the envelope"
  -- ${_tool} --profile mi300x --envelope ${_h200})
aaco_cli_case(envelope_bad_file ARGS --not "GPU backend"
  2 "--envelope '.*CMakeLists.txt': .*unknown format" -- ${_tool} --envelope ${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.txt)

# ---- --ncu: HEU of every kernel of a profile ----
aaco_cli_case(ncu_kernels ARGS
  0 "^\\| triad\\(double \\\\\\*, .*\\| 0\\.394 \\| 85\\.1% \\| hbm \\|"
  -- ${_tool} --envelope ${_h200} --ncu ${_fx}/ncu/profile.csv)
aaco_cli_case(ncu_above_roof_warning ARGS 0 "above the fp32\\.vector roof: the FLOP count"
  -- ${_tool} --envelope ${_h200} --ncu ${_fx}/ncu/profile.csv)
aaco_cli_case(ncu_svg_points ARGS
  --file ${_out}/ncu.svg "triad \\[L2\\]"
  --file ${_out}/ncu.svg "void gemm_fp16 \\[DRAM\\] \\(HEU 82\\.9%\\)"
  0 - -- ${_tool} --envelope ${_h200} --ncu ${_fx}/ncu/profile.csv --svg ${_out}/ncu.svg)
aaco_cli_case(ncu_to_stderr_with_json_stdout ARGS --stdout ${_out}/ncu-json-stdout.json
  0 "^\\| void gemm_fp16" -- ${_tool} --profile h200-sxm --ncu ${_fx}/ncu/profile.csv --json -)
aaco_cli_case(ncu_missing_metric ARGS 2 "L2 bytes: needs lts__t_bytes\\.sum"
  -- ${_tool} --profile h200-sxm --ncu ${_fx}/ncu/missing_column.csv)
aaco_cli_case(ncu_bad_cell ARGS 2 "column lts__t_bytes\\.sum \\(ID 1\\): 'n/a' is not a number"
  -- ${_tool} --profile h200-sxm --ncu ${_fx}/ncu/na_cell.csv)
aaco_cli_case(ncu_missing_file_before_device ARGS --not "GPU backend"
  2 "--ncu: cannot read ncu report '/nonexistent-aaco.csv'" -- ${_tool} --ncu /nonexistent-aaco.csv)
aaco_cli_case(ncu_with_device_all_refused ARGS 2 "--ncu, --compare and --envelope take one envelope"
  -- ${_tool} --device all --ncu ${_fx}/ncu/profile.csv)

# ---- --compare ----
aaco_cli_case(compare_roofline_csv ARGS
  0 "^\\| ceiling\\.hbm \\| GB/s \\| 4732\\.0 \\| 4732\\.0 \\| 1\\.000 \\|$"
  -- ${_tool} --envelope ${_h200} --compare ${_fx}/export/synthetic_h200.roofline.csv)
aaco_cli_case(compare_profile_with_measured ARGS
  0 "^\\| ceiling\\.fp16\\.matrix \\| TFLOP/s \\| 989\\.4 \\| 829\\.0 \\| 0\\.838 \\|$"
  -- ${_tool} --profile h200-sxm --compare ${_h200})
aaco_cli_case(compare_ert_json ARGS 0 "^\\| ceiling\\.l2 \\| GB/s \\| 14276\\.0 \\| 14276\\.0 \\| 1\\.000 \\|$"
  -- ${_tool} --envelope ${_h200} --compare ${_fx}/export/synthetic_h200.roofline.json)
aaco_cli_case(compare_bad_file ARGS --not "GPU backend" 2 "--compare '/nonexistent-aaco.json'"
  -- ${_tool} --compare /nonexistent-aaco.json)
