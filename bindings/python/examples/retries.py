"""requests.Session example 5: retries mounted with an HTTPAdapter and urllib3's Retry."""

import uuid

from _base import base_url

import hsession as requests
from hsession import HTTPAdapter, Retry  # requests' HTTPAdapter and urllib3's Retry work too

BASE = base_url()

session = requests.Session()

# Wiederholungsversuche konfigurieren
retries = Retry(total=3, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])
session.mount(BASE.split('://')[0] + '://', HTTPAdapter(max_retries=retries))

# Eine Anfrage mit Wiederholungslogik stellen: this endpoint fails twice with 503
response = session.get(f'{BASE}/flaky/{uuid.uuid4().hex}/2')
print(response.json(), 'after', response.retries, 'retries')

session.close()
