"""A requests.Session is not thread-safe; an
hsession Session is: 8 threads share one session, its cookies and its pool."""

from concurrent.futures import ThreadPoolExecutor

from _base import base_url

import hsession as requests

BASE = base_url()

with requests.Session() as session:
    session.get(f'{BASE}/cookies/set?visitor=42')

    def fetch(i):
        return session.get(f'{BASE}/cookies', params={'i': i}).json()['cookies']

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, range(40)))
    print(len(results), 'requests, cookies', results[0], 'in all:', all(r == results[0] for r in results))
    print('connections opened:', session.connections_opened)
