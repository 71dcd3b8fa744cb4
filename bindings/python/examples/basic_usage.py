"""requests.Session's basic use: default User-Agent, a GET, a POST, close."""

from _base import base_url

import hsession as requests  # the only change from code written for requests

BASE = base_url()

# Eine Sitzung erstellen
session = requests.Session()

# Standard-Header für alle Anfragen in dieser Sitzung setzen
session.headers.update({'User-Agent': 'MyApp/1.0'})

# Eine GET-Anfrage stellen
response1 = session.get(f'{BASE}/json')
print(response1.json())

# Eine weitere Anfrage stellen; Cookies und Header werden wiederverwendet
response2 = session.post(f'{BASE}/submit', data={'key': 'value'})
print(response2.json()['form'], dict(response2.json()['headers'])['user-agent'])

# Sitzung schließen, um Ressourcen freizugeben
session.close()
