"""Every request body bounded, however it is sent.

Werkzeug refuses a body whose Content-Length is over MAX_CONTENT_LENGTH, and
bounds each field of a multipart form (MAX_FORM_MEMORY_SIZE) and their number
(MAX_FORM_PARTS). Two ways round that are closed here:

- a chunked body has no Content-Length: Werkzeug stops reading it at the limit
  and goes on with what it read, so a body cut short was processed (and an
  email cut at 256 KB echoed back). Here a body that goes on past the limit is
  refused with the kind 413 page, and one that ends at it is read whole;
- a urlencoded form is parsed whole, with neither bound: here its fields are
  held to the same two as a multipart form's.
"""

from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


class _RefusedPastLimit(LimitedStream):
    """Reads up to `limit` bytes of a stream with no length of its own, and
    refuses it if there is even one more."""

    def __init__(self, stream, limit: int):
        # One byte past the limit is asked for, to learn whether the body
        # ends at the limit or goes on.
        super().__init__(stream, limit + 1, is_max=True)
        self.most = limit

    def readinto(self, buffer) -> int | None:
        read = super().readinto(buffer)
        if self._pos > self.most:
            raise RequestEntityTooLarge()
        return read


class _BoundedFormParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        fields = self.max_form_parts
        try:
            items = parse_qsl(
                stream.read().decode(),
                keep_blank_values=True,
                errors="werkzeug.url_quote",
                max_num_fields=fields,
            )
        except ValueError as error:
            if fields is not None and "Max number of fields" in str(error):
                raise RequestEntityTooLarge() from None
            raise
        most = self.max_form_memory_size
        if most is not None and any(len(value.encode()) > most for _, value in items):
            raise RequestEntityTooLarge()
        return stream, self.cls(items), self.cls()


class BoundedRequest(Request):
    """Flask's request, with the two bounds above (`app.request_class`)."""

    form_data_parser_class = _BoundedFormParser

    @cached_property
    def stream(self):
        most = self.max_content_length
        if (
            self.content_length is None
            and most is not None
            and self.environ.get("wsgi.input_terminated")
            and not self.shallow
        ):
            return _RefusedPastLimit(self.environ["wsgi.input"], most)
        return super().stream
