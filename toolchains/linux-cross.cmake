# Shared body of the Debian multiarch cross toolchains. Set UTKIT_TRIPLE and
# UTKIT_QEMU before including.
#
# Compilers: the Debian g++-<triple> packages. Libraries (mbedTLS, pugixml) come
# from Debian multiarch (libmbedtls-dev:<arch>), installed under
# /usr/lib/<triple> with headers shared in /usr/include: .ci/deps cross.
# Tests run under qemu-user through CMAKE_CROSSCOMPILING_EMULATOR; the
# multiarch loader and libraries make -L unnecessary.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${UTKIT_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${UTKIT_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${UTKIT_TRIPLE})
# A section per function and object, and programs linked with --gc-sections:
# what an embedded Linux image wants (utcli's map gives the sizes CI prints).
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# Look for libraries and packages only in the target's multiarch directories.
set(CMAKE_FIND_ROOT_PATH /usr/${UTKIT_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)

# pkg-config must answer for the target, not the build machine.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${UTKIT_TRIPLE}/pkgconfig:/usr/share/pkgconfig)

find_program(UTKIT_QEMU_BIN ${UTKIT_QEMU})
if(UTKIT_QEMU_BIN)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${UTKIT_QEMU_BIN})
endif()
