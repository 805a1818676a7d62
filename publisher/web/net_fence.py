"""The serving process cannot open a network connection: a seccomp filter, installed once after fork.

The SPARQL engine can send HTTP requests (SERVICE, and whatever a future version adds). The query
guard refuses SERVICE on the query's tokens; this is the second fence, which depends on no parsing
at all. The kernel refuses every `socket()` call outside the Unix domain (EACCES), so neither the
engine nor anything else in the process can make a TCP or UDP socket, and `io_uring_setup`, which
could open one without that call. The listening socket is inherited from the supervisor and
accepted connections come from `accept4`, so serving HTTP is untouched. Calls of a foreign ABI
(32-bit or x32 system calls on x86-64) are refused as a whole.

The filter is plain classic BPF handed to prctl(PR_SET_SECCOMP) through ctypes: no library, no
privilege (PR_SET_NO_NEW_PRIVS first), inherited by every thread created afterwards. It is
installed before the serving process starts any thread.

With `publisher serve --sparql-backend` there is no engine in the process, and the process must
reach the backend: the filter then also allows IPv4 and IPv6 sockets (`allow_tcp`), and what keeps
requests to the one configured address is the forwarding code itself (sparql/backend.py).
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_ABS_W, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
# per machine: (AUDIT_ARCH_*, socket, io_uring_setup, first number of a foreign ABI or None)
ARCHES = {"x86_64": (0xC000003E, 41, 425, 0x40000000), "aarch64": (0xC00000B7, 198, 425, None)}
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16  # in struct seccomp_data (little-endian: low word of arg 0)


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def program(machine: str, allow_tcp: bool = False) -> list[tuple[int, int, int, int]]:
    """The filter for `machine` as (code, jump-if-true, jump-if-false, k) instructions. `allow_tcp`:
    IPv4 and IPv6 sockets are allowed too (a SPARQL backend is reached over them; see sparql/backend.py)."""
    arch, nr_socket, nr_uring, foreign = ARCHES[machine]
    deny = RET_ERRNO | errno.EACCES
    head = [
        (LD_ABS_W, 0, 0, OFFSET_ARCH),
        (JEQ_K, 1, 0, arch),
        (RET_K, 0, 0, deny),  # another ABI: refuse every call
        (LD_ABS_W, 0, 0, OFFSET_NR),
    ]
    if foreign is not None:
        head += [(JGE_K, 0, 1, foreign), (RET_K, 0, 0, deny)]
    return head + [
        (JEQ_K, 0, 1, nr_uring),
        (RET_K, 0, 0, deny),
        (JEQ_K, 1, 0, nr_socket),
        (RET_K, 0, 0, RET_ALLOW),
        (LD_ABS_W, 0, 0, OFFSET_ARG0),
        *_allow_families((AF_UNIX, AF_INET, AF_INET6) if allow_tcp else (AF_UNIX,)),
        (RET_K, 0, 0, deny),
    ]


def _allow_families(families: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """For each family: jump to the next test unless equal, else allow."""
    out = []
    for family in families:
        out += [(JEQ_K, 0, 1, family), (RET_K, 0, 0, RET_ALLOW)]
    return out


def install(allow_tcp: bool = False) -> str | None:
    """Fence this process (and threads it starts later) off the network (`allow_tcp`: off all but IPv4
    and IPv6 sockets, for a SPARQL backend). None when done, else why not."""
    machine = platform.machine()
    if machine not in ARCHES or struct.calcsize("P") != 8:
        return f"no network fence for this machine ({machine})"
    instructions = program(machine, allow_tcp)
    table = (_Filter * len(instructions))(*[_Filter(*i) for i in instructions])
    prog = _Program(len(instructions), table)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"the kernel refused the network fence ({errno.errorcode.get(ctypes.get_errno(), '?')})"
    return None
