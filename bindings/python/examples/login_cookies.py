"""requests.Session example 1: a login cookie kept for the protected page."""

from _base import base_url

import hsession as requests

BASE = base_url()

session = requests.Session()

# Auf einer Website einloggen
login_data = {'username': 'user', 'password': 'pass'}
response = session.post(f'{BASE}/login', data=login_data)
print('login:', response.status_code, response.json())

# Auf eine geschützte Seite zugreifen; die Sitzung sendet automatisch das Login-Cookie mit
protected_page = session.get(f'{BASE}/protected')
print('protected:', protected_page.status_code, protected_page.text)
protected_page.raise_for_status()

session.close()
