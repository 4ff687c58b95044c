"""placeholder"""


def run_receive(suite):
    pass
