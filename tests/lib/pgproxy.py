"""tests/lib/pgproxy.py - a PostgreSQL wire-protocol relay for tests of the prepared-statement
path: it counts each session's Parse messages (how often schemagate prepares) and can run a
statement inside schemagate's own session between two of its requests (e.g. DEALLOCATE ALL, as
a connection pooler might), swallowing that statement's answer. Clients must not ask for TLS
or GSS encryption (sslmode=disable gssencmode=disable)."""
import socket
import struct
import threading


def _read(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _message(sock):
    head = _read(sock, 5)
    return head + _read(sock, struct.unpack("!i", head[1:])[0] - 4)


class Session:
    def __init__(self, client, upstream):
        self.client, self.upstream = client, upstream
        self.parses = 0            # named statements prepared (Parse with a name)
        self.outstanding = 1       # Sync/Query sent, ReadyForQuery not yet seen (startup ends in one)
        self.swallow = 0           # ReadyForQuery answers still to hide (injected statements)
        self.inject = None
        self.lock = threading.Lock()


class PgProxy:
    def __init__(self, port):
        self.target = ("127.0.0.1", int(port))
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.sessions = []
        threading.Thread(target=self._accept, daemon=True).start()

    def parses(self):
        """Named statements prepared, per session in connection order."""
        return [s.parses for s in self.sessions]

    def inject(self, sql):
        """Runs sql in every live session just before that session's next request."""
        for s in self.sessions:
            with s.lock:
                s.inject = sql

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = socket.create_connection(self.target)
        try:
            head = _read(client, 4)
            upstream.sendall(head + _read(client, struct.unpack("!i", head)[0] - 4))   # StartupMessage
        except (ConnectionError, OSError):
            client.close()
            upstream.close()
            return
        s = Session(client, upstream)
        self.sessions.append(s)
        threading.Thread(target=self._downstream, args=(s,), daemon=True).start()
        try:
            while True:
                msg = _message(client)
                with s.lock:
                    if s.inject and s.outstanding == 0:
                        sql = s.inject.encode() + b"\0"
                        upstream.sendall(b"Q" + struct.pack("!i", len(sql) + 4) + sql)
                        s.swallow += 1
                        s.inject = None
                    if msg[:1] in (b"S", b"Q"):
                        s.outstanding += 1
                    if msg[:1] == b"P" and msg[5:6] != b"\0":
                        s.parses += 1
                upstream.sendall(msg)
        except (ConnectionError, OSError):
            pass
        client.close()
        upstream.close()

    def _downstream(self, s):
        try:
            while True:
                msg = _message(s.upstream)
                with s.lock:
                    hide = s.swallow > 0
                    if msg[:1] == b"Z":
                        if hide:
                            s.swallow -= 1
                        else:
                            s.outstanding -= 1
                if not hide:
                    s.client.sendall(msg)
        except (ConnectionError, OSError):
            pass
        s.client.close()
        s.upstream.close()
