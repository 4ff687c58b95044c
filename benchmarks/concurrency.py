"""placeholder"""


def run_concurrency(suite):
    pass
