#!/usr/bin/env python3
"""Upload a local file to Driftwood Sync using the REST API v2.

Small files (<= 100 MiB) use the simple upload endpoint; larger files use a
resumable upload session with 16 MiB parts. 429 responses are retried after
the number of seconds in the Retry-After header.

Usage:
    export DW_TOKEN=dwp_...        # personal access token with files.write
    python3 upload.py ./interview.mov /Video/interview.mov [--overwrite]

Only the Python standard library is used, so this runs anywhere Python 3.9+
is installed. See api/uploads-resumable.md for the protocol.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

API = os.environ.get("DW_API", "https://api.driftwoodsync.com/v2")
SIMPLE_MAX = 100 * 1024 * 1024        # 100 MiB: simple upload limit
PART_SIZE = 16 * 1024 * 1024          # 16 MiB: default part size (5-64 MiB allowed)
MAX_PARTS = 10_000
MAX_TRIES = 6


def request(method, url, token, body=None, content_type=None):
    """Send one request, retrying on 429 and 5xx. Returns parsed JSON or {}."""
    for attempt in range(MAX_TRIES):
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Authorization", f"Bearer {token}")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                data = resp.read()
                return json.loads(data) if data else {}
        except urllib.error.HTTPError as err:
            if err.code == 429:
                wait = int(err.headers.get("Retry-After", "1"))
                print(f"rate limited, waiting {wait}s", file=sys.stderr)
                time.sleep(wait + random.uniform(0, 1))
                continue
            if 500 <= err.code < 600:
                time.sleep(min(2 ** attempt, 60))
                continue
            detail = err.read().decode("utf-8", "replace")
            raise SystemExit(f"{method} {url} failed: HTTP {err.code} {detail}")
    raise SystemExit(f"{method} {url}: giving up after {MAX_TRIES} attempts")


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def simple_upload(token, local, remote, mode):
    qs = urllib.parse.urlencode({"path": remote, "mode": mode})
    with open(local, "rb") as f:
        return request("PUT", f"{API}/files/content?{qs}", token, f.read(),
                       "application/octet-stream")


def resumable_upload(token, local, remote, mode):
    size = os.path.getsize(local)
    part_size = PART_SIZE
    while size / part_size > MAX_PARTS:          # very large files need bigger parts
        part_size *= 2
    if part_size > 64 * 1024 * 1024:
        raise SystemExit("file too large for a single upload session")

    session = request("POST", f"{API}/uploads", token,
                      json.dumps({"path": remote, "size": size,
                                  "part_size": part_size, "mode": mode}).encode(),
                      "application/json")
    upload_id = session["upload_id"]
    print(f"session {upload_id}: {session['parts']} parts of {part_size >> 20} MiB")

    with open(local, "rb") as f:
        for number in range(1, session["parts"] + 1):
            chunk = f.read(part_size)
            request("PUT", f"{API}/uploads/{upload_id}/parts/{number}", token,
                    chunk, "application/octet-stream")
            print(f"\r{number}/{session['parts']}", end="", flush=True)
    print()

    return request("POST", f"{API}/uploads/{upload_id}/complete", token,
                   json.dumps({"sha256": sha256_of(local)}).encode(),
                   "application/json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("local")
    ap.add_argument("remote", help="destination path, e.g. /Reports/q1.xlsx")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args()

    token = os.environ.get("DW_TOKEN")
    if not token:
        raise SystemExit("set DW_TOKEN to a personal (dwp_) or service (dws_) token")

    mode = "overwrite" if args.overwrite else "add"
    if os.path.getsize(args.local) <= SIMPLE_MAX:
        result = simple_upload(token, args.local, args.remote, mode)
    else:
        result = resumable_upload(token, args.local, args.remote, mode)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
