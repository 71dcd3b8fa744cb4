"""requests.Session example 4: HTTP basic auth on every request of the session."""

from _base import base_url

import hsession as requests
from hsession import HTTPBasicAuth  # requests.auth.HTTPBasicAuth works too

BASE = base_url()

session = requests.Session()
session.auth = HTTPBasicAuth('user', 'pass')

# Alle Anfragen werden Basic Auth beinhalten
response = session.get(f'{BASE}/basic-auth/user/pass')
print(response.json())

session.close()
