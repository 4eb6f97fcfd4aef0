# The archive writes dates as the CSTO does, 26.05.2020, in English as in Russian:
# the admin's lists then match its workflow log and the public pages.
DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
