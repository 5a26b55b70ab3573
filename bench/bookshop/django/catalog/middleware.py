"""The bookshop's X-Request-Duration middleware (examples/bookshop/middleware.ts) for Django."""
import time


def request_duration(get_response):
    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        response["X-Request-Duration"] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response

    return middleware
