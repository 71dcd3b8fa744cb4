"""requests.Session example 3: five requests without a session, then with one."""

import time

from _base import base_url

import hsession as requests

BASE = base_url()

# Ohne Sitzung
start = time.time()
for _ in range(5):
    requests.get(f'{BASE}/json')
print(f"Without session: {time.time() - start} seconds")

# Mit Sitzung
session = requests.Session()
start = time.time()
for _ in range(5):
    session.get(f'{BASE}/json')
print(f"With session: {time.time() - start} seconds")
print(f"requests sent: {session.requests_sent}, connections opened: {session.connections_opened}")
session.close()
