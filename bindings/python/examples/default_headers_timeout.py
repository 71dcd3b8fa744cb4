"""requests.Session example 2: default headers and a default timeout."""

import functools

from _base import base_url

import hsession as requests

BASE = base_url()

session = requests.Session()

# Standard-Header setzen
session.headers.update({
    'Authorization': 'Bearer my_token',
    'Accept': 'application/json'
})

# Standard-Timeout setzen
session.request = functools.partial(session.request, timeout=5)

# Anfragen stellen; Header und Timeout werden automatisch angewendet
response1 = session.get(f'{BASE}/anything/endpoint1')
response2 = session.get(f'{BASE}/anything/endpoint2')
for r in (response1, response2):
    h = dict(r.json()['headers'])
    print(r.url, h['authorization'], h['accept'])

# The timeout applies too: a slower answer raises ReadTimeout.
try:
    session.request('GET', f'{BASE}/delay/2000', timeout=0.5)
except requests.ReadTimeout as e:
    print('timeout:', type(e).__name__)

session.close()
