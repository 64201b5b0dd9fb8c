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

// Benchmarks for the greet functions, in the style of the Mesos
// `*_BENCHMARK_Test` tests: the output mimics Google Test and the
// durations are printed the way stout's `Duration` prints them, so the
// same tooling can read Mesos and Hello benchmark logs.
//
// Flags and environment:
//   --gtest_filter=PATTERN   run only the matching tests (also GTEST_FILTER;
//                            the flag wins). PATTERN is Google Test's:
//                            ':'-separated globs with '*' and '?', and an
//                            optional '-' followed by negative globs.
//   --gtest_list_tests       list the tests and exit.
//   HELLO_BENCH_SLOWDOWN     a factor (default 1.0) by which every benchmark
//                            does more work while reporting the same nominal
//                            amount; simulates a performance regression.

#define _POSIX_C_SOURCE 200809L

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greet.h"

#define NANOSECONDS_PER_MICROSECOND INT64_C(1000)
#define NANOSECONDS_PER_MILLISECOND INT64_C(1000000)
#define NANOSECONDS_PER_SECOND INT64_C(1000000000)
#define NANOSECONDS_PER_MINUTE (60 * NANOSECONDS_PER_SECOND)
#define NANOSECONDS_PER_HOUR (60 * NANOSECONDS_PER_MINUTE)
#define NANOSECONDS_PER_DAY (24 * NANOSECONDS_PER_HOUR)
#define NANOSECONDS_PER_WEEK (7 * NANOSECONDS_PER_DAY)

#define NAME_COUNT 64
#define BUFFER_SIZE (64 * 1024)

// Keeps the compiler from optimising the measured work away.
static volatile uint32_t sink;

static char names[NAME_COUNT][32];

static int64_t now(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    perror("hello-bench: clock_gettime");
    exit(3);
  }
  return (int64_t) ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

// Formats a duration of NS nanoseconds like stout's
// `operator<<(std::ostream&, const Duration&)`: the unit is the largest
// one not exceeding the duration, unless the next smaller unit gives a
// whole number; the value is printed with 15 significant digits.
static void format_duration(char* out, size_t size, int64_t ns)
{
  static const struct {
    int64_t factor;
    const char* units;
  } unit[] = {
    {1, "ns"},
    {NANOSECONDS_PER_MICROSECOND, "us"},
    {NANOSECONDS_PER_MILLISECOND, "ms"},
    {NANOSECONDS_PER_SECOND, "secs"},
    {NANOSECONDS_PER_MINUTE, "mins"},
    {NANOSECONDS_PER_HOUR, "hrs"},
    {NANOSECONDS_PER_DAY, "days"},
    {NANOSECONDS_PER_WEEK, "weeks"},
  };
  const size_t count = sizeof(unit) / sizeof(unit[0]);

  const char* sign = "";
  if (ns < 0) {
    sign = "-";
    ns = (ns == INT64_MIN) ? INT64_MAX : -ns;
  }

  // The bucket: the largest unit that is not larger than the duration.
  size_t u = 0;
  while (u + 1 < count && ns >= unit[u + 1].factor) {
    u++;
  }

  if (u == 0) {
    snprintf(out, size, "%s%" PRId64 "ns", sign, ns);
    return;
  }

  // Prefer the next smaller unit when only it gives a whole number
  // (for microseconds that means: whole nanoseconds).
  if (ns % unit[u].factor != 0 && ns % unit[u - 1].factor == 0) {
    u--;
  }

  if (u == 0) {
    snprintf(out, size, "%s%" PRId64 "ns", sign, ns);
  } else {
    snprintf(out, size, "%s%.15g%s", sign,
             (double) ns / (double) unit[u].factor, unit[u].units);
  }
}

// Returns how often to repeat the nominal work: HELLO_BENCH_SLOWDOWN.
static double slowdown_factor(void)
{
  const char* value = getenv("HELLO_BENCH_SLOWDOWN");
  if (value == NULL || value[0] == '\0') {
    return 1.0;
  }

  char* end = NULL;
  errno = 0;
  double factor = strtod(value, &end);
  if (errno != 0 || end == value || *end != '\0' || !isfinite(factor) ||
      factor <= 0.0 || factor > 1000.0) {
    fprintf(stderr,
            "hello-bench: HELLO_BENCH_SLOWDOWN is '%s'; set it to a number "
            "greater than 0 and at most 1000 (default 1.0)\n",
            value);
    exit(2);
  }
  return factor;
}

static double slowdown = 1.0;

// The amount of work actually done for NOMINAL units of work.
static long long scaled(long long nominal)
{
  return (long long) ((double) nominal * slowdown + 0.5);
}

// GreetBenchmark_BENCHMARK_Test.Format/N: formats GREETINGS greetings
// one after the other into a buffer, each with its identifier.
static void format_benchmark(long long greetings)
{
  static char buffer[BUFFER_SIZE];
  size_t offset = 0;
  uint32_t checksum = 0;
  long long iterations = scaled(greetings);

  int64_t start = now();
  for (long long i = 0; i < iterations; i++) {
    if (BUFFER_SIZE - offset < GREET_MAX) {
      checksum ^= greet_hash(buffer + offset - GREET_MAX / 2);
      offset = 0;
    }
    int length = greet_format(
        buffer + offset, BUFFER_SIZE - offset, names[i % NAME_COUNT]);
    if (length < 0) {
      fprintf(stderr, "hello-bench: greet_format failed\n");
      exit(3);
    }
    checksum += greet_hash(buffer + offset);
    offset += (size_t) length;
    buffer[offset++] = '\n';
  }
  int64_t elapsed = now() - start;
  sink ^= checksum;

  char duration[64];
  format_duration(duration, sizeof(duration), elapsed);
  printf("Formatted %lld greetings in %s\n", greetings, duration);
}

// HashBenchmark_BENCHMARK_Test.Throughput: hashes greetings and reports
// the throughput in operations per second.
static void hash_benchmark(long long operations)
{
  char greetings[NAME_COUNT][GREET_MAX];
  for (int i = 0; i < NAME_COUNT; i++) {
    greet_format(greetings[i], sizeof(greetings[i]), names[i]);
  }

  uint32_t checksum = 0;
  long long iterations = scaled(operations);

  int64_t start = now();
  for (long long i = 0; i < iterations; i++) {
    checksum += greet_hash(greetings[i % NAME_COUNT]);
  }
  int64_t elapsed = now() - start;
  sink ^= checksum;

  if (elapsed <= 0) {
    elapsed = 1;
  }
  printf("Estimated total throughput: %f op/s\n",
         (double) operations * NANOSECONDS_PER_SECOND / (double) elapsed);
}

typedef struct {
  const char* test_case;
  const char* test;
  void (*run)(long long);
  long long param;
} benchmark;

static const benchmark benchmarks[] = {
  {"GreetBenchmark_BENCHMARK_Test", "Format/0", format_benchmark, 100000},
  {"GreetBenchmark_BENCHMARK_Test", "Format/1", format_benchmark, 200000},
  {"HashBenchmark_BENCHMARK_Test", "Throughput", hash_benchmark, 1000000},
};

#define BENCHMARK_COUNT (sizeof(benchmarks) / sizeof(benchmarks[0]))

// Matches NAME against the glob PATTERN ('*' and '?'), stopping the
// pattern at END.
static int glob_match(const char* pattern, const char* end, const char* name)
{
  while (pattern < end) {
    if (*pattern == '*') {
      for (const char* rest = name;; rest++) {
        if (glob_match(pattern + 1, end, rest)) {
          return 1;
        }
        if (*rest == '\0') {
          return 0;
        }
      }
    }
    if (*name == '\0' || (*pattern != '?' && *pattern != *name)) {
      return 0;
    }
    pattern++;
    name++;
  }
  return *name == '\0';
}

// Returns whether NAME matches one of the ':'-separated globs in
// PATTERNS[0, END).
static int match_any(const char* patterns, const char* end, const char* name)
{
  const char* start = patterns;
  while (start <= end) {
    const char* stop = memchr(start, ':', (size_t) (end - start));
    if (stop == NULL) {
      stop = end;
    }
    if (glob_match(start, stop, name)) {
      return 1;
    }
    start = stop + 1;
  }
  return 0;
}

// Google Test filter semantics: "POSITIVE[-NEGATIVE]".
static int filter_match(const char* filter, const char* name)
{
  const char* dash = strchr(filter, '-');
  const char* positive_end = dash != NULL ? dash : filter + strlen(filter);

  int positive = positive_end == filter
      ? 1 // Only negative patterns: start from everything.
      : match_any(filter, positive_end, name);

  if (!positive) {
    return 0;
  }
  if (dash != NULL) {
    return !match_any(dash + 1, dash + strlen(dash), name);
  }
  return 1;
}

static const char* plural(size_t n, const char* one, const char* many)
{
  return n == 1 ? one : many;
}

static void usage(FILE* out)
{
  fprintf(out,
          "Usage: hello-bench [--gtest_filter=PATTERN] [--gtest_list_tests]\n"
          "Runs the Hello benchmarks. Environment: GTEST_FILTER, GTEST_LIST_TESTS,\n"
          "HELLO_BENCH_SLOWDOWN (work factor, default 1.0).\n");
}

int main(int argc, char** argv)
{
  const char* filter = getenv("GTEST_FILTER");
  // Like Google Test, every flag can also come from the environment.
  const char* list_env = getenv("GTEST_LIST_TESTS");
  int list = list_env != NULL && strcmp(list_env, "1") == 0;

  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--gtest_filter=", 15) == 0) {
      filter = argv[i] + 15;
    } else if (strcmp(argv[i], "--gtest_list_tests") == 0) {
      list = 1;
    } else if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "hello-bench: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }

  if (filter == NULL || filter[0] == '\0') {
    filter = "*";
  }

  slowdown = slowdown_factor();

  // Select the tests and count the test cases they belong to.
  int selected[BENCHMARK_COUNT];
  size_t tests = 0;
  size_t test_cases = 0;
  const char* last_case = NULL;
  for (size_t i = 0; i < BENCHMARK_COUNT; i++) {
    char name[128];
    snprintf(name, sizeof(name), "%s.%s",
             benchmarks[i].test_case, benchmarks[i].test);
    selected[i] = filter_match(filter, name);
    if (selected[i]) {
      tests++;
      if (last_case == NULL || strcmp(last_case, benchmarks[i].test_case)) {
        test_cases++;
        last_case = benchmarks[i].test_case;
      }
    }
  }

  if (list) {
    last_case = NULL;
    for (size_t i = 0; i < BENCHMARK_COUNT; i++) {
      if (!selected[i]) {
        continue;
      }
      if (last_case == NULL || strcmp(last_case, benchmarks[i].test_case)) {
        printf("%s.\n", benchmarks[i].test_case);
        last_case = benchmarks[i].test_case;
      }
      printf("  %s\n", benchmarks[i].test);
    }
    return 0;
  }

  for (int i = 0; i < NAME_COUNT; i++) {
    snprintf(names[i], sizeof(names[i]), "contributor-%d", i * 7919);
  }

  if (strcmp(filter, "*") != 0) {
    printf("Note: Google Test filter = %s\n", filter);
  }
  printf("[==========] Running %zu %s from %zu %s.\n",
         tests, plural(tests, "test", "tests"),
         test_cases, plural(test_cases, "test case", "test cases"));
  printf("[----------] Global test environment set-up.\n");

  int64_t total_start = now();
  for (size_t i = 0; i < BENCHMARK_COUNT;) {
    // One test case: the run of benchmarks sharing its name.
    size_t end = i;
    size_t case_tests = 0;
    while (end < BENCHMARK_COUNT &&
           strcmp(benchmarks[end].test_case, benchmarks[i].test_case) == 0) {
      case_tests += selected[end] ? 1 : 0;
      end++;
    }

    if (case_tests > 0) {
      const char* test_case = benchmarks[i].test_case;
      printf("[----------] %zu %s from %s\n",
             case_tests, plural(case_tests, "test", "tests"), test_case);
      fflush(stdout);

      int64_t case_start = now();
      for (size_t j = i; j < end; j++) {
        if (!selected[j]) {
          continue;
        }
        printf("[ RUN      ] %s.%s\n", test_case, benchmarks[j].test);
        fflush(stdout);

        int64_t start = now();
        benchmarks[j].run(benchmarks[j].param);
        int64_t elapsed = now() - start;

        printf("[       OK ] %s.%s (%" PRId64 " ms)\n",
               test_case, benchmarks[j].test,
               elapsed / NANOSECONDS_PER_MILLISECOND);
        fflush(stdout);
      }
      printf("[----------] %zu %s from %s (%" PRId64 " ms total)\n\n",
             case_tests, plural(case_tests, "test", "tests"), test_case,
             (now() - case_start) / NANOSECONDS_PER_MILLISECOND);
    }
    i = end;
  }

  printf("[----------] Global test environment tear-down\n");
  printf("[==========] %zu %s from %zu %s ran. (%" PRId64 " ms total)\n",
         tests, plural(tests, "test", "tests"),
         test_cases, plural(test_cases, "test case", "test cases"),
         (now() - total_start) / NANOSECONDS_PER_MILLISECOND);
  printf("[  PASSED  ] %zu %s.\n", tests, plural(tests, "test", "tests"));
  return 0;
}
