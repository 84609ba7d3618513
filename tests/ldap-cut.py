#!/usr/bin/env python3
# ldap-cut.py PORTFILE SLAPD_PORT MODE: a TCP proxy in front of slapd that
# cuts the connection at the first LDAP add request it sees, as a network
# that fails mid-operation does.  It listens on 127.0.0.1, writes its port
# to PORTFILE and runs until it is killed.  MODE:
#   made  the add reaches slapd (which makes the entry), its answer never
#         reaches the client; later connections pass through
#   lost  the same, and later connections are refused: the client cannot
#         find out what happened
#   drop  the add never reaches slapd; later connections pass through
import os
import socket
import sys
import threading
import time

portfile, upstream_port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cut_done = threading.Event()


def read_message(sock):
    """One BER-framed LDAP message, or None at the end."""
    def exact(n):
        buf = b''
        while len(buf) < n:
            got = sock.recv(n - len(buf))
            if not got:
                return None
            buf += got
        return buf
    head = exact(2)
    if head is None:
        return None
    length, extra = head[1], b''
    if length & 0x80:
        extra = exact(length & 0x7f)
        if extra is None:
            return None
        length = int.from_bytes(extra, 'big')
    body = exact(length)
    return None if body is None else head + extra + body


def op_tag(msg):
    """The protocolOp tag: after the sequence header and the message ID."""
    i = 2 + (msg[1] & 0x7f if msg[1] & 0x80 else 0)
    id_len = msg[i + 1]
    return msg[i + 2 + id_len]


def serve(client):
    if mode == 'lost' and cut_done.is_set():
        client.close()
        return
    server = socket.create_connection(('127.0.0.1', upstream_port))
    cut = threading.Event()

    def back():
        try:
            while True:
                data = server.recv(65536)
                if not data or cut.is_set():
                    break
                client.sendall(data)
        except OSError:
            pass

    threading.Thread(target=back, daemon=True).start()
    try:
        while True:
            msg = read_message(client)
            if msg is None:
                break
            if op_tag(msg) == 0x68 and not cut_done.is_set():
                cut.set()
                cut_done.set()
                if mode != 'drop':
                    server.sendall(msg)
                    time.sleep(1)	# slapd makes the entry
                break
            server.sendall(msg)
    except OSError:
        pass
    for s in (client, server):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', 0))
listener.listen(16)
with open(portfile + '.tmp', 'w') as f:
    f.write('%d\n' % listener.getsockname()[1])
os.rename(portfile + '.tmp', portfile)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
