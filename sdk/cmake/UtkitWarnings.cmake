# utkit_target_defaults(target): warnings, and -fno-exceptions for code that
# ships in the SDK (sdk/ and platform/). A `throw` or `try` there fails the build; the C boundary
# (platform/capi, platform/jni) alone adds -fexceptions to catch std::bad_alloc (docs/architecture.md).
function(utkit_target_defaults target)
  cmake_parse_arguments(ARG "NO_EXCEPTIONS" "" "" ${ARGN})
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion)
  if(UTKIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ARG_NO_EXCEPTIONS)
    target_compile_options(${target} PRIVATE -fno-exceptions)
  endif()
endfunction()
