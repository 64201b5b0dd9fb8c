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

#ifndef HELLO_GREET_H
#define HELLO_GREET_H

#include <stddef.h>
#include <stdint.h>

// Room for any greeting hello prints, including the terminating NUL.
#define GREET_MAX 256

// Formats the greeting for NAME ("Hello, NAME!") into BUF, which holds
// SIZE bytes. A missing (NULL) or empty NAME greets the whole "World".
// Returns the length of the full greeting like snprintf() does, so a
// result >= SIZE means it was truncated; returns -1 on error.
int greet_format(char* buf, size_t size, const char* name);

// Formats the greeting for NAME in upper case, e.g. "HELLO, WORLD!".
// Returns what greet_format() returns.
int greet_shout(char* buf, size_t size, const char* name);

// Returns the 32-bit FNV-1a hash of the string S. Used to give each
// greeting a stable identifier.
uint32_t greet_hash(const char* s);

#endif // HELLO_GREET_H
