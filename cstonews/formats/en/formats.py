# The archive writes dates as the CSTO does, 26.05.2020, in English as in Russian:
# the admin's lists then match its workflow log and the public pages.
DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

# Typed as they are shown, and never month first: "05/06/2020" is refused, not
# read as 6 May by one editor and 5 June by another. ISO dates (2020-05-26, as
# the public filters send them) are accepted as well: Django adds them.
DATE_INPUT_FORMATS = ["%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
