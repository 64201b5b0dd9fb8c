#!/usr/bin/env python3
"""A stand-in for the three JIRA REST calls publish-dist makes, for the offline rehearsal.

Usage: jira-standin.py PROJECT PORT_FILE [VERSION=ID[:released] ...]

Serves, on 127.0.0.1 (a free port, written to PORT_FILE):
  GET  /rest/api/2/project/PROJECT/versions   the project's versions
  PUT  /rest/api/2/version/ID                  update a version (release it)
  POST /rest/api/2/version                     create a version
Every request is logged to stderr, one line each. The tests use wiremock instead.
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROJECT = sys.argv[1]
PORT_FILE = sys.argv[2]
VERSIONS = []
for spec in sys.argv[3:]:
    name, vid = spec.split("=", 1)
    vid, _, state = vid.partition(":")
    VERSIONS.append({"self": f"/rest/api/2/version/{vid}", "id": vid, "name": name,
                     "archived": False, "released": state == "released", "projectId": 10001})


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        if self.path.split("?")[0] == f"/rest/api/2/project/{PROJECT}/versions":
            return self.reply(200, VERSIONS)
        return self.reply(404, {"errorMessages": [f"no such resource {self.path}"]})

    def do_PUT(self):
        vid = self.path.rsplit("/", 1)[-1]
        for v in VERSIONS:
            if v["id"] == vid:
                v.update(self.body())
                return self.reply(200, v)
        return self.reply(404, {"errorMessages": [f"Could not find version for id '{vid}'"]})

    def do_POST(self):
        if self.path != "/rest/api/2/version":
            return self.reply(404, {"errorMessages": [f"no such resource {self.path}"]})
        v = self.body()
        v["id"] = str(12340000 + len(VERSIONS) + 1)
        v.setdefault("released", False)
        v.setdefault("archived", False)
        VERSIONS.append(v)
        return self.reply(201, v)

    def log_message(self, fmt, *args):
        sys.stderr.write("jira stand-in: " + (fmt % args) + "\n")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
