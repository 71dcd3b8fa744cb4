"""What requests' PreparedRequest needs to build a request in Python: URL
normalisation, parameter and form encoding, multipart encoding, body length.
Only used when a PreparedRequest is asked for (Session.prepare_request,
send, Response.request, auth callables); the usual request is packed for
the library directly."""

import io
import os
import uuid
from collections.abc import Mapping
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from .exceptions import InvalidURL

UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def to_key_val_list(value):
    """[(key, value)] of a dict or of a list of pairs (requests.utils.to_key_val_list)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, bool, int)):
        raise ValueError("cannot encode objects that are not 2-tuples")
    if isinstance(value, Mapping):
        value = value.items()
    return list(value)


def unquote_unreserved(uri):
    """Decodes percent-escapes of unreserved characters only."""
    parts = uri.split("%")
    for i in range(1, len(parts)):
        h = parts[i][0:2]
        if len(h) == 2 and h.isalnum():
            try:
                c = chr(int(h, 16))
            except ValueError:
                raise InvalidURL(f"Invalid percent-escape sequence: '{h}'") from None
            parts[i] = c + parts[i][2:] if c in UNRESERVED else f"%{parts[i]}"
        else:
            parts[i] = f"%{parts[i]}"
    return "".join(parts)


def requote_uri(uri):
    """Quotes what must be quoted in a URL, leaving valid escapes alone."""
    try:
        return quote(unquote_unreserved(uri), safe="!#$%&'()*+,/:;=?@[]~")
    except InvalidURL:
        return quote(uri, safe="!#$&'()*+,/:;=?@[]~")


def encode_params(data):
    """requests' _encode_params: a str, bytes or file as it is; pairs urlencoded."""
    if isinstance(data, (str, bytes)):
        return data
    if hasattr(data, "read"):
        return data
    if hasattr(data, "__iter__"):
        result = []
        for k, vs in to_key_val_list(data):
            if isinstance(vs, (str, bytes)) or not hasattr(vs, "__iter__"):
                vs = [vs]
            for v in vs:
                if v is not None:
                    result.append((k.encode("utf-8") if isinstance(k, str) else k,
                                   v.encode("utf-8") if isinstance(v, str) else v))
        return urlencode(result, doseq=True)
    return data


def guess_filename(obj):
    name = getattr(obj, "name", None)
    if name and isinstance(name, (str, bytes)) and name[0] != "<" and name[-1] != ">":
        return os.path.basename(name)
    return None


def _header_param(name, value):
    # HTML5 form encoding of a Content-Disposition parameter, as urllib3 does.
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    value = value.translate({10: "%0A", 13: "%0D", 34: "%22"})
    return f'{name}="{value}"'


def encode_files(files, data):
    """(multipart body, its Content-Type) of requests' `files=` and `data=`."""
    if not files:
        raise ValueError("Files must be provided.")
    if isinstance(data, (str, bytes)):
        raise ValueError("Data must not be a string.")
    parts = []  # (headers text, data bytes)
    for field, val in to_key_val_list(data or {}):
        if isinstance(val, (str, bytes)) or not hasattr(val, "__iter__"):
            val = [val]
        for v in val:
            if v is None:
                continue
            if not isinstance(v, bytes):
                v = str(v)
            name = field.decode("utf-8") if isinstance(field, bytes) else field
            parts.append((f"Content-Disposition: form-data; {_header_param('name', name)}\r\n\r\n",
                          v.encode("utf-8") if isinstance(v, str) else v))
    for k, v in to_key_val_list(files or {}):
        ft = None
        fh = None
        if isinstance(v, (tuple, list)):
            if len(v) == 2:
                fn, fp = v
            elif len(v) == 3:
                fn, fp, ft = v
            else:
                fn, fp, ft, fh = v
        else:
            fn = guess_filename(v) or k
            fp = v
        if isinstance(fp, (str, bytes, bytearray)):
            fdata = fp
        elif hasattr(fp, "read"):
            fdata = fp.read()
        elif fp is None:
            continue
        else:
            fdata = fp
        if isinstance(fdata, int):
            fdata = str(fdata)
        if isinstance(fdata, str):
            fdata = fdata.encode("utf-8")
        disposition = f"form-data; {_header_param('name', k)}"
        if fn is not None:
            disposition += f"; {_header_param('filename', fn)}"
        head = f"Content-Disposition: {disposition}\r\n"
        if ft:
            head += f"Content-Type: {ft}\r\n"
        for hk, hv in (fh or {}).items():
            head += f"{hk}: {hv}\r\n"
        parts.append((head + "\r\n", bytes(fdata)))
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for head, content in parts:
        body.write(f"--{boundary}\r\n".encode("latin-1"))
        body.write(head.encode("utf-8"))
        body.write(content)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode("latin-1"))
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def super_len(o):
    """The bytes left to read of a body (requests.utils.super_len)."""
    total = None
    position = 0
    if isinstance(o, str):
        o = o.encode("utf-8")
    if hasattr(o, "__len__"):
        total = len(o)
    elif hasattr(o, "len"):
        total = o.len
    elif hasattr(o, "fileno"):
        try:
            fileno = o.fileno()
        except (io.UnsupportedOperation, AttributeError):
            pass
        else:
            total = os.fstat(fileno).st_size
    if hasattr(o, "tell"):
        try:
            position = o.tell()
        except OSError:
            if total is not None:
                position = total
        else:
            if hasattr(o, "seek") and total is None:
                try:
                    o.seek(0, 2)
                    total = o.tell()
                    o.seek(position or 0)
                except OSError:
                    total = 0
    if total is None:
        total = 0
    return max(0, total - position)


def split_url(url):
    """(scheme, netloc, path, query, fragment, host) of an absolute URL;
    InvalidURL when it cannot be parsed."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (checks the port)
    except ValueError as e:
        raise InvalidURL(*e.args) from None
    netloc = parts.netloc
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        host = host[:host.find("]") + 1]
    else:
        host = host.partition(":")[0]
    return parts.scheme, netloc, parts.path, parts.query, parts.fragment, host


def join_url(scheme, netloc, path, query, fragment):
    return urlunsplit((scheme, netloc, path, query, fragment))


def get_auth_from_url(url):
    """(user, password) in the URL, unquoted; ("", "") when there are none."""
    parsed = urlsplit(url)
    try:
        from urllib.parse import unquote
        return unquote(parsed.username), unquote(parsed.password)
    except (AttributeError, TypeError):
        return "", ""
