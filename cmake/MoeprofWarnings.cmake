# One place for warning flags so every target is -Wall -Wextra clean.
function(moeprof_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX,C>:-Wall -Wextra -Wpedantic -Wshadow=local -Wno-missing-field-initializers>
    $<$<AND:$<COMPILE_LANGUAGE:CXX,C>,$<BOOL:${MOEPROF_WERROR}>>:-Werror>)
endfunction()
