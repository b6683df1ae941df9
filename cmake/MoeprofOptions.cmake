# User-facing build options. AUTO options resolve in MoeprofDependencies.cmake from what is found.
set(MOEPROF_WITH_CUDA AUTO CACHE STRING "Build CUDA parts (collector, kernels, trainer): ON, OFF or AUTO")
set_property(CACHE MOEPROF_WITH_CUDA PROPERTY STRINGS AUTO ON OFF)
set(MOEPROF_WITH_GUI AUTO CACHE STRING "Build the Qt 6 GUI: ON, OFF or AUTO")
set_property(CACHE MOEPROF_WITH_GUI PROPERTY STRINGS AUTO ON OFF)
option(MOEPROF_BUILD_BENCHMARKS "Build benchmarks under tests/bench (Google Benchmark)" ON)
option(MOEPROF_WERROR "Treat warnings as errors" OFF)
# Hopper by default, plus PTX so newer GPUs can JIT; override with -DCMAKE_CUDA_ARCHITECTURES=...
set(MOEPROF_CUDA_ARCHITECTURES "90-real;90-virtual" CACHE STRING "CUDA architectures when CMAKE_CUDA_ARCHITECTURES is unset")

# Accept any CMake boolean spelling (on, 1, TRUE, no, ...) and any case of AUTO, normalising to
# AUTO/ON/OFF so the rest of the build compares one spelling; anything else is a typo worth stopping on.
foreach(_opt MOEPROF_WITH_CUDA MOEPROF_WITH_GUI)
  string(TOUPPER "${${_opt}}" _value)
  if(_value STREQUAL "AUTO")
    set(${_opt} AUTO)
  elseif(_value MATCHES "^(ON|YES|TRUE|Y|1)$")
    set(${_opt} ON)
  elseif(_value MATCHES "^(OFF|NO|FALSE|N|0)$")
    set(${_opt} OFF)
  else()
    message(FATAL_ERROR "${_opt}=${${_opt}}: expected AUTO, ON or OFF")
  endif()
endforeach()
