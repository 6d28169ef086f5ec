"""Order for the access tests: the small ones first, the matrix last."""


def pytest_collection_modifyitems(items):
    """Under `make mutation` (pytest -x) a mutant that a small access test kills is done
    before the access matrix's seven hundred requests start; the order is stable otherwise."""
    items.sort(key=lambda item: item.nodeid.endswith("test_access_matrix.py::test_access_matrix"))
