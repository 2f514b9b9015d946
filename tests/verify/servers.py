"""Real mail servers for the ``kbgen verify`` tests: Debian's Dovecot and Postfix, started
here on free loopback ports with a CA and certificates made by openssl.

They listen on 127.0.0.2 and the client connects from 127.0.0.1: Dovecot treats a
connection whose two ends share an address as secure and would allow a password before
STARTTLS, which would make the plaintext checks pass for the wrong reason.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ADDRESS = "127.0.0.2"
HOST = "mail.example.com"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
NAMED = shutil.which("named") or "/usr/sbin/named"
MISSING = [path for path in (DOVECOT, POSTFIX_MASTER, NAMED, shutil.which("openssl") or "openssl")
           if not os.access(path, os.X_OK)]
INSTALL = ("install them with scripts/setup "
           "(Debian: apt-get install dovecot-imapd dovecot-pop3d postfix bind9)")


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder the servers' own users (dovecot, dovenull, postfix) can reach: pytest's
    temporary folders are private to root."""
    folder = Path(tempfile.mkdtemp(prefix="kbgen-verify-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        if not os.environ.get("KBGEN_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((ADDRESS, 0))
        port: int = sock.getsockname()[1]
    return port


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, timeout=30)


class CA:
    """A certificate authority in a folder, signing server certificates on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.txt").write_text("")
        (folder / "serial").write_text("01\n")
        (folder / "ca.cnf").write_text(
            "[ca]\ndefault_ca = test\n[test]\n"
            f"database = {folder}/index.txt\nnew_certs_dir = {folder}\nserial = {folder}/serial\n"
            "default_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n"
            "[any]\ncommonName = supplied\n")
        self.cert = folder / "ca.pem"
        _run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", folder / "ca.key", "-out", self.cert, "-days", "60",
             "-subj", "/CN=kbgen verify test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, name: str, *, days: int = 90, expired: bool = False) -> tuple[Path, Path]:
        """A certificate for ``name`` and its key: valid ``days`` from now, or long expired."""
        stem = f"{name}-{'expired' if expired else days}"
        key, csr, cert = (self.folder / (stem + s) for s in (".key", ".csr", ".pem"))
        if cert.exists():  # made once: Dovecot reads its files again for each new login process
            return cert, key
        _run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={name}",
             "-addext", f"subjectAltName=DNS:{name}")
        dates = (["-startdate", "20240101000000Z", "-enddate", "20240201000000Z"] if expired
                 else ["-days", str(days)])
        _run("openssl", "ca", "-batch", "-notext", "-config", self.folder / "ca.cnf",
             "-cert", self.cert, "-keyfile", self.folder / "ca.key", "-in", csr, "-out", cert, *dates)
        os.chmod(key, 0o644)  # Dovecot reads it as root; the folder is the test's own
        return cert, key


@dataclass
class Dovecot:
    imaps: int
    imap: int
    pop3s: int
    pop3: int
    auth_socket: Path
    process: subprocess.Popen[bytes]
    log: Path


DOVECOT_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = kbgen-verify-{name}
log_path = {dir}/dovecot.log
protocols = imap pop3
listen = {address}
ssl = {ssl}
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = {no_plaintext}
# No network is trusted with a password before TLS.
login_trusted_networks =
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = static
  args = password=not-used
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service auth {{
  unix_listener {dir}/auth-client {{
    mode = 0666
  }}
}}
"""


def wait_for_ports(ports: list[int], process: subprocess.Popen[bytes], log: Path) -> None:
    end = time.monotonic() + 15
    for port in ports:
        while True:
            if process.poll() is not None:
                said = [p.read_text() for p in (log, log.with_name("master.err")) if p.exists()]
                raise RuntimeError(f"the server stopped: {' '.join(said)}")
            try:
                socket.create_connection((ADDRESS, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > end:
                    raise RuntimeError(f"port {port} never opened: {log.read_text()}") from None
                time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def dovecot(folder: Path, cert: Path, key: Path, *, plaintext_auth: bool = False) -> Iterator[Dovecot]:
    """Dovecot for IMAP (implicit TLS and STARTTLS) and POP3 (the same), in the foreground."""
    folder.mkdir(parents=True)
    for sub in ("run", "state", "mail"):
        (folder / sub).mkdir()
    os.chmod(folder, 0o755)
    ports = {name: free_port() for name in ("imaps", "imap", "pop3s", "pop3")}
    conf = folder / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(
        dir=folder, name=folder.name, address=ADDRESS, cert=cert, key=key,
        ssl="yes" if plaintext_auth else "required",
        no_plaintext="no" if plaintext_auth else "yes", **ports))
    log = folder / "dovecot.log"
    # Its own session: Postfix's master signals its process group when it stops.
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_ports(list(ports.values()), process, log)
        yield Dovecot(auth_socket=folder / "auth-client", process=process, log=log, **ports)
    finally:
        stop(process)


@dataclass
class Postfix:
    """Submission with implicit TLS (465) and STARTTLS (587), and two broken 587s."""

    smtps: int
    submission: int
    submission_plain_auth: int  # offers AUTH before STARTTLS
    submission_open: int  # takes mail without a login
    process: subprocess.Popen[bytes]
    log: Path


QUEUE_DIRS = ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
              "private", "saved", "trace")
MASTER_SERVICES = """\
postlog unix-dgram n - n - 1 postlogd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
proxymap unix - - n - - proxymap
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
tlsmgr unix - - n 1000? 1 tlsmgr
"""


@contextmanager
def postfix(folder: Path, cert: Path, key: Path, auth_socket: Path) -> Iterator[Postfix]:
    """Postfix's master in the foreground with its own configuration and queue, SASL by Dovecot."""
    conf, queue, data = folder / "conf", folder / "queue", folder / "data"
    for path in (conf, queue, data):
        path.mkdir(parents=True)
    os.chmod(folder, 0o755)
    shutil.chown(data, "postfix")
    for name in QUEUE_DIRS:
        (queue / name).mkdir(mode=0o700)
        shutil.chown(queue / name, "postfix")
    for name, mode in (("maildrop", 0o730), ("public", 0o710)):
        (queue / name).mkdir()
        os.chmod(queue / name, mode)
        shutil.chown(queue / name, "postfix", "postdrop")
    (queue / "pid").mkdir()
    log = folder / "postfix.log"
    (conf / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = {HOST}
mydestination =
mynetworks =
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = {log}
maillog_file_prefixes = {folder}
alias_maps =
alias_database =
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_sasl_type = dovecot
smtpd_sasl_path = {auth_socket}
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
""")
    ports = {name: free_port() for name in ("smtps", "submission", "submission_plain_auth",
                                             "submission_open")}
    smtpd = "inet n - n - - smtpd -o syslog_name=postfix/{} -o smtpd_tls_security_level={}"
    (conf / "master.cf").write_text("\n".join([
        f"{ADDRESS}:{ports['smtps']} " + smtpd.format("smtps", "encrypt")
        + " -o smtpd_tls_wrappermode=yes",
        f"{ADDRESS}:{ports['submission']} " + smtpd.format("submission", "encrypt")
        + " -o smtpd_tls_auth_only=yes",
        f"{ADDRESS}:{ports['submission_plain_auth']} " + smtpd.format("plain-auth", "may")
        + " -o smtpd_tls_auth_only=no",
        f"{ADDRESS}:{ports['submission_open']} " + smtpd.format("open", "encrypt")
        + " -o smtpd_tls_auth_only=yes -o mynetworks=127.0.0.0/8"
        " -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination"
        " -o smtpd_recipient_restrictions=permit_mynetworks,reject",
        MASTER_SERVICES]))
    with open(folder / "master.err", "wb") as errors:
        process = subprocess.Popen([POSTFIX_MASTER, "-c", str(conf), "-d"], stdout=subprocess.DEVNULL,
                                   stderr=errors, start_new_session=True)
    try:
        wait_for_ports(list(ports.values()), process, log)
        yield Postfix(process=process, log=log, **ports)
    finally:
        stop(process)


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind((ADDRESS, 0))
    listener.listen()
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join()
        for sock in held:
            sock.close()
        listener.close()


def is_root() -> bool:
    return os.geteuid() == 0


NAMED_CONF = """\
options {{
  directory "{dir}";
  pid-file "{dir}/named.pid";
  session-keyfile "{dir}/session.key";
  listen-on port {port} {{ {address}; }};
  listen-on-v6 {{ none; }};
  recursion no;
  dnssec-validation no;
}};
controls {{ }};
{zones}
"""
SOA = """\
$TTL 3600
@ IN SOA ns hostmaster 1 3600 600 86400 300
@ IN NS ns
ns IN A 192.0.2.53
"""


DNS_ADDRESS = "127.0.0.1"


@dataclass
class Named:
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def named(folder: Path, zones: dict[str, str]) -> Iterator[Named]:
    """BIND serving each zone (origin -> records, names relative to it) on a loopback port:
    the real software a customer's DNS host runs, reading the records as written."""
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)  # named drops to the bind user and writes its key files here
    entries = []
    for origin, body in zones.items():
        path = folder / f"{origin}.zone"
        path.write_text(f"$ORIGIN {origin}.\n" + SOA + body)
        os.chmod(path, 0o644)
        entries.append(f'zone "{origin}" {{ type primary; file "{path}"; }};')
    port = free_port()
    conf = folder / "named.conf"
    # named listens only on addresses an interface has: 127.0.0.1, not the rest of 127/8.
    conf.write_text(NAMED_CONF.format(dir=folder, port=port, address=DNS_ADDRESS,
                                      zones="\n".join(entries)))
    log = folder / "named.log"
    with log.open("wb") as out:
        process = subprocess.Popen([NAMED, "-g", "-c", str(conf)], stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_dns(port, process, log)
        yield Named(port, process)
    finally:
        stop(process)


def _wait_for_dns(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    # named opens its UDP socket before it has loaded the zones: wait for "running".
    end = time.monotonic() + 15
    while "running" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > end:
            raise RuntimeError(f"named did not start: {log.read_text(errors='replace')}")
        time.sleep(0.05)


@contextmanager
def https_host(cert: Path, key: Path, answer: Callable[[str, str, bytes], tuple[int, bytes]]
               ) -> Iterator[int]:
    """An HTTPS server on a loopback port whose every request ``answer(method, path, body)``
    answers: a stand-in for the host mail apps fetch their settings from."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, body = answer(self.command, self.path, self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer((ADDRESS, 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
