# Cortex-M4 (Thumb-2), bare metal: Debian's gcc-arm-none-eabi with newlib
# (libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib). Builds the
# protocol core only (sdk/): no threads (UTKIT_THREADS=OFF), no exceptions,
# no RTTI, every function and object in its own section so that the
# firmware's link can drop what it does not use (--gc-sections).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_SIZE arm-none-eabi-size)
# No program can be linked without a board's startup code and memory map.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(_utkit_m4 "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -ffunction-sections -fdata-sections -Wno-psabi")
set(CMAKE_C_FLAGS_INIT "${_utkit_m4}")
# -fno-ipa-sra -fno-ipa-cp: without them GCC makes a private clone of the
# same std::string members in every object (".isra"/".constprop"), which
# --gc-sections cannot merge: 4.4 KB of the core's text (measured; they
# make mbedTLS's C slightly larger, so C++ only).
set(CMAKE_CXX_FLAGS_INIT "${_utkit_m4} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-ipa-sra -fno-ipa-cp")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(UTKIT_BARE_METAL ON CACHE BOOL "" FORCE)
set(UTKIT_THREADS OFF CACHE BOOL "" FORCE)
