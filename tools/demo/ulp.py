#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Inside the VM: attach the "ktlso" ULP to a loopback TCP connection from
# plain Python (no TLS library) and show the kernel's own evidence of it.
import os
import socket
import subprocess

SOL_TCP, TCP_ULP = 6, 31


def show(title, text):
    print(f"\n== {title}")
    print(text.rstrip())


print(f"ktlso demo on Linux {os.uname().release}")
show("lsmod", subprocess.run(["sh", "-c", "lsmod | grep -E '^(Module|ktlso)'"],
                             capture_output=True, text=True).stdout)

listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
server, _ = listener.accept()
client.setsockopt(SOL_TCP, TCP_ULP, b"ktlso")
ulp = client.getsockopt(SOL_TCP, TCP_ULP, 16).rstrip(b"\0").decode()
local, peer = client.getsockname(), client.getpeername()
show("setsockopt(SOL_TCP, TCP_ULP, \"ktlso\")",
     f"client {local[0]}:{local[1]} -> {peer[0]}:{peer[1]}\n"
     f"getsockopt(SOL_TCP, TCP_ULP) = {ulp!r}")

ss = subprocess.run(["ss", "-tni", "state", "established", "sport", f"= :{local[1]}"],
                    capture_output=True, text=True).stdout
show(f"ss -tni (sport {local[1]}): look for tcp-ulp-ktlso", ss)

message = b"hello through ktlso"
client.sendall(message)
got = server.recv(len(message), socket.MSG_WAITALL)
show("data", f"sent {message!r}, peer received {got!r}: "
     f"{'identical' if got == message else 'DIFFERENT'} "
     "(no keys installed yet, so the ULP passes bytes through)")

ok = ulp == "ktlso" and "tcp-ulp-ktlso" in ss and got == message
print("\nresult:", "ktlso is attached" if ok else "something is wrong")
raise SystemExit(0 if ok else 1)
