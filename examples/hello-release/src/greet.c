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

#include "greet.h"

#include <ctype.h>
#include <stdio.h>

#define FNV_OFFSET_BASIS 2166136261u
#define FNV_PRIME 16777619u

// Returns the name to greet: NAME itself, or "World" when it is missing.
static const char* greeting_name(const char* name)
{
  if (name == NULL || name[0] == '\0') {
    return "World";
  }
  return name;
}

int greet_format(char* buf, size_t size, const char* name)
{
  if (buf == NULL && size > 0) {
    return -1;
  }
  return snprintf(buf, size, "Hello, %s!", greeting_name(name));
}

int greet_shout(char* buf, size_t size, const char* name)
{
  int length = greet_format(buf, size, name);
  for (size_t i = 0; length > 0 && i < size && buf[i] != '\0'; i++) {
    buf[i] = (char) toupper((unsigned char) buf[i]);
  }
  return length;
}

uint32_t greet_hash(const char* s)
{
  uint32_t hash = FNV_OFFSET_BASIS;
  for (const unsigned char* p = (const unsigned char*) s; *p != '\0'; p++) {
    hash ^= *p;
    hash *= FNV_PRIME;
  }
  return hash;
}
