"""English dates as lotpick has always shown them (ISO 8601: 2026-11-30); German and Spanish pages use
Django's formats of those languages (30.11.2026, 30/11/2026). Templates write dates with
`|date:"SHORT_DATE_FORMAT"` and times with `|date:"SHORT_DATETIME_FORMAT"`."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
