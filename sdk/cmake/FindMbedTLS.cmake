# FindMbedTLS: Debian's libmbedtls-dev ships neither a CMake package nor a
# pkg-config file, so look for the headers and the three libraries directly.
#
# Defines MbedTLS_FOUND, MbedTLS_VERSION and the imported targets
# MbedTLS::mbedcrypto, MbedTLS::mbedx509, MbedTLS::mbedtls (which links the other two).
find_path(MbedTLS_INCLUDE_DIR NAMES mbedtls/ssl.h)
find_library(MbedTLS_CRYPTO_LIBRARY NAMES mbedcrypto)
find_library(MbedTLS_X509_LIBRARY NAMES mbedx509)
find_library(MbedTLS_TLS_LIBRARY NAMES mbedtls)

if(MbedTLS_INCLUDE_DIR AND EXISTS "${MbedTLS_INCLUDE_DIR}/mbedtls/version.h")
  file(STRINGS "${MbedTLS_INCLUDE_DIR}/mbedtls/version.h" _mbedtls_ver
       REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MbedTLS_VERSION "${_mbedtls_ver}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedTLS
  REQUIRED_VARS MbedTLS_INCLUDE_DIR MbedTLS_CRYPTO_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_TLS_LIBRARY
  VERSION_VAR MbedTLS_VERSION)

if(MbedTLS_FOUND)
  if(MbedTLS_VERSION VERSION_GREATER_EQUAL 3.0)
    message(FATAL_ERROR "utkit needs the mbedTLS 2.28 line (RC4, 3DES suites, TLS 1.0/1.1); found ${MbedTLS_VERSION}")
  endif()
  if(NOT TARGET MbedTLS::mbedcrypto)
    add_library(MbedTLS::mbedcrypto UNKNOWN IMPORTED)
    set_target_properties(MbedTLS::mbedcrypto PROPERTIES
      IMPORTED_LOCATION "${MbedTLS_CRYPTO_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
    # An mbedTLS built with its own configuration (the Cortex-M build's
    # toolchains/cortex-m4/mbedtls_config.h): everything that includes its
    # headers must see the same one.
    if(UTKIT_MBEDTLS_CONFIG_FILE)
      set_property(TARGET MbedTLS::mbedcrypto APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS
                   "MBEDTLS_CONFIG_FILE=\"${UTKIT_MBEDTLS_CONFIG_FILE}\"")
    endif()
    add_library(MbedTLS::mbedx509 UNKNOWN IMPORTED)
    set_target_properties(MbedTLS::mbedx509 PROPERTIES
      IMPORTED_LOCATION "${MbedTLS_X509_LIBRARY}"
      INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
    add_library(MbedTLS::mbedtls UNKNOWN IMPORTED)
    set_target_properties(MbedTLS::mbedtls PROPERTIES
      IMPORTED_LOCATION "${MbedTLS_TLS_LIBRARY}"
      INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
  endif()
endif()
mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_CRYPTO_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_TLS_LIBRARY)
