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

// Unit tests for the greet functions; run by `make check` and `ctest`.
// Exits with status 1 if any expectation fails.

#include <stdio.h>
#include <string.h>

#include "greet.h"

static int failures = 0;

#define EXPECT(condition)                                              \
  do {                                                                 \
    if (!(condition)) {                                                \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__,      \
              #condition);                                             \
      failures++;                                                      \
    }                                                                  \
  } while (0)

#define EXPECT_STREQ(expected, actual)                                 \
  do {                                                                 \
    if (strcmp((expected), (actual)) != 0) {                           \
      fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n",          \
              __FILE__, __LINE__, (expected), (actual));               \
      failures++;                                                      \
    }                                                                  \
  } while (0)

static void check_format(const char* name, const char* expected)
{
  char buf[GREET_MAX];
  int length = greet_format(buf, sizeof(buf), name);
  EXPECT(length == (int) strlen(expected));
  EXPECT_STREQ(expected, buf);
}

static void test_format(void)
{
  check_format("Mesos", "Hello, Mesos!");
  check_format("release-kit", "Hello, release-kit!");
  check_format(NULL, "Hello, World!");
  check_format("", "Hello, World!");
}

static void test_format_truncates(void)
{
  char buf[8];
  int length = greet_format(buf, sizeof(buf), "Mesos");
  EXPECT(length == (int) strlen("Hello, Mesos!"));
  EXPECT_STREQ("Hello, ", buf);
  EXPECT(greet_format(NULL, 0, "Mesos") == length);
  EXPECT(greet_format(NULL, 1, "Mesos") == -1);
}

static void test_shout(void)
{
  char buf[GREET_MAX];
  EXPECT(greet_shout(buf, sizeof(buf), "Mesos") == 13);
  EXPECT_STREQ("HELLO, MESOS!", buf);
  EXPECT(greet_shout(buf, sizeof(buf), NULL) == 13);
  EXPECT_STREQ("HELLO, WORLD!", buf);
}

static void test_hash(void)
{
  // Reference values of 32-bit FNV-1a.
  EXPECT(greet_hash("") == 0x811c9dc5u);
  EXPECT(greet_hash("a") == 0xe40c292cu);
  EXPECT(greet_hash("foobar") == 0xbf9cf968u);
  EXPECT(greet_hash("Hello, World!") != greet_hash("Hello, Mesos!"));
}

int main(void)
{
  test_format();
  test_format_truncates();
  test_shout();
  test_hash();

  if (failures > 0) {
    fprintf(stderr, "greet-test: %d expectation(s) failed\n", failures);
    return 1;
  }
  printf("greet-test: all expectations passed\n");
  return 0;
}
