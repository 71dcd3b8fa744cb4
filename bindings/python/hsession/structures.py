"""CaseInsensitiveDict, as in requests.structures."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Dict, MutableMapping, Tuple


class CaseInsensitiveDict(MutableMapping[str, Any]):
    """A dict whose keys match without regard to case; keeps the case last set."""

    __slots__ = ("_store",)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        self._store: Dict[str, Tuple[str, Any]] = {}
        if data is None:
            data = {}
        self.update(data, **kwargs)

    def __setitem__(self, key: str, value: Any) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> Any:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (cased for cased, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def lower_items(self) -> Iterator[tuple[str, Any]]:
        return ((k, v[1]) for k, v in self._store.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            other = CaseInsensitiveDict(other)
        else:
            return NotImplemented
        return dict(self.lower_items()) == dict(other.lower_items())

    def copy(self) -> CaseInsensitiveDict:
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self) -> str:
        return str(dict(self.items()))


class LookupDict(dict):
    """Names looked up as attributes (requests.codes); a missing one is None."""

    def __init__(self, name=None):
        self.name = name
        super().__init__()

    def __repr__(self):
        return f"<lookup '{self.name}'>"

    def __getitem__(self, key):
        return self.__dict__.get(key, None)

    def get(self, key, default=None):
        return self.__dict__.get(key, default)
