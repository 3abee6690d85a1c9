/* A C99 program that links the installed libutkit.so (pkg-config utkit or
 * find_package(utkit) + utkit::capi) and checks the loaded library is the
 * one its header describes, and that a configuration error is reported. */
#include <stdio.h>
#include <string.h>

#include "utkit/utkit.h"

int main(void) {
  ut_config* c = NULL;
  ut_error err;
  if (strcmp(ut_version(), UTKIT_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", UTKIT_VERSION_STRING, ut_version());
    return 1;
  }
  if (ut_config_new(&c) != UT_OK) return 1;
  if (ut_config_set(c, "no.such.key", "x", &err) != UT_E_CONFIG || strstr(err.message, "no.such.key") == NULL) return 1;
  ut_config_free(c);
  printf("c consumer: libutkit %s (%s)\n", ut_version(), ut_build_info());
  return 0;
}
