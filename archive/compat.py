"""
The only place the app reaches into Django's private API, each use because
no public API answers the question; archive/tests/test_compat.py checks every
one, so that a Django upgrade that changes them fails there.
"""


def is_new_upload(field_file):
    """
    Whether `field_file` (a FileField's value) holds a file uploaded but not
    yet stored: Django keeps this only in the private FieldFile._committed.
    """
    return bool(field_file) and not field_file._committed
