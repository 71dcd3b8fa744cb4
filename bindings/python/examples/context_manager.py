"""Closing a session: the session as a context manager."""

from _base import base_url

import hsession as requests

BASE = base_url()

with requests.Session() as session:
    session.headers.update({'User-Agent': 'MyApp/1.0'})
    response = session.get(f'{BASE}/json')
    print(response.json())
# Sitzung wird automatisch geschlossen, wenn der Block verlassen wird
