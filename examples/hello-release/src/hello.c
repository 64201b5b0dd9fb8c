// Copyright 2026 The Hello sample project
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "greet.h"

#ifndef PACKAGE_NAME
#error "PACKAGE_NAME must be defined by the build system"
#endif

#ifndef PACKAGE_VERSION
#error "PACKAGE_VERSION must be defined by the build system"
#endif

static void usage(FILE* out)
{
  fprintf(out,
          "Usage: %s [OPTION]... [NAME]\n"
          "Prints a friendly greeting for NAME (default: World).\n"
          "\n"
          "  --shout      greet in upper case\n"
          "  --help       print this help and exit\n"
          "  --version    print the version and exit\n",
          PACKAGE_NAME);
}

int main(int argc, char** argv)
{
  int (*format)(char*, size_t, const char*) = greet_format;
  const char* name = NULL;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--shout") == 0) {
      format = greet_shout;
    } else if (strcmp(argv[i], "--version") == 0) {
      printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "%s: unknown option '%s'\n", PACKAGE_NAME, argv[i]);
      usage(stderr);
      return 2;
    } else if (name == NULL) {
      name = argv[i];
    } else {
      fprintf(stderr, "%s: expected at most one NAME\n", PACKAGE_NAME);
      usage(stderr);
      return 2;
    }
  }

  char greeting[GREET_MAX];
  int length = format(greeting, sizeof(greeting), name);
  if (length < 0 || (size_t) length >= sizeof(greeting)) {
    fprintf(stderr, "%s: NAME is too long\n", PACKAGE_NAME);
    return 2;
  }

  puts(greeting);
  return 0;
}
