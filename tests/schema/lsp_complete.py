"""Asks taplo's language server (what Even Better TOML runs in VS Code) for completions in a fresh
scenario that carries the #:schema directive: the keys of [run], and the values of [queue] type.
Exits 0 when both come from the schema.

Run by hand, not in CI (a taplo with its language server is a 5-minute cargo build):
    cargo install taplo-cli --features lsp --root /tmp/taplo
    mkdir -p /tmp/t && cp scenarios/sqsbench.schema.json /tmp/t/
    python3 tests/schema/lsp_complete.py /tmp/taplo/bin/taplo /tmp/t
"""
import json, subprocess, sys, pathlib

taplo, folder = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
proc = subprocess.Popen([taplo, "lsp", "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
seq = 0
def send(method, params, notify=False):
    global seq
    msg = {"jsonrpc": "2.0", "method": method, "params": params}
    if not notify:
        seq += 1; msg["id"] = seq
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body); proc.stdin.flush()
    return None if notify else seq
def read():
    headers = {}
    while True:
        line = proc.stdout.readline().decode().strip()
        if not line: break
        k, v = line.split(":", 1); headers[k.lower()] = v.strip()
    return json.loads(proc.stdout.read(int(headers["content-length"])))
def wait(id_):
    while True:
        m = read()
        if m.get("id") == id_ and "method" not in m: return m
        if "method" in m and "id" in m:  # a request from the server: answer it empty
            body = json.dumps({"jsonrpc": "2.0", "id": m["id"], "result": None}).encode()
            proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body); proc.stdin.flush()
uri = (folder / "fresh.toml").as_uri()
text = "#:schema ./sqsbench.schema.json\nname = \"fresh\"\n\n[run]\n\n\n[queue]\ntype = \"\"\n"
wait(send("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {"textDocument": {"completion": {"completionItem": {"snippetSupport": False}}}}, "workspaceFolders": [{"uri": folder.as_uri(), "name": "t"}]}))
send("initialized", {}, notify=True)
send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}}, notify=True)
def complete(line, character):
    r = wait(send("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))
    items = r.get("result") or []
    if isinstance(items, dict): items = items.get("items", [])
    return sorted({i["label"] for i in items})
keys = complete(4, 0)
values = complete(7, 8)
print("keys offered in [run]:", keys)
print("values offered for [queue] type:", values)
proc.kill()
ok = {"duration", "warmup", "drain_timeout"} <= set(keys) and any("fifo" in v for v in values)
sys.exit(0 if ok else 1)
