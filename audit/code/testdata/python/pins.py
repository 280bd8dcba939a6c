"""TLS pins for the code audit tests.

A docstring that shows ssl.PROTOCOL_TLSv1 and ssl_version=ssl.PROTOCOL_TLSv1 is no pin.
"""
import ssl
from ssl import PROTOCOL_TLSv1_1

import requests
from requests.adapters import HTTPAdapter
from urllib3.poolmanager import PoolManager

# ctx.minimum_version = ssl.TLSVersion.TLSv1 in a comment is no pin.


class LegacyAdapter(HTTPAdapter):
    def init_poolmanager(self, connections, maxsize, block=False):
        self.poolmanager = PoolManager(num_pools=connections, maxsize=maxsize,
                                       block=block, ssl_version=ssl.PROTOCOL_TLSv1)


def context():
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    return ctx


def server_context():
    return ssl.SSLContext(PROTOCOL_TLSv1_1)


def legacy_string():
    return PoolManager(ssl_version="TLSv1")


def traps(name):
    message = "ssl.PROTOCOL_TLSv1 is disabled"
    formatted = f"{name!r} uses ssl_version={'PROTOCOL_TLSv1'}"
    raw = rb'ssl.PROTOCOL_TLSv1\'s'
    fine = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    TLSv1 = "unrelated"
    return message, formatted, raw, fine, TLSv1, requests


def wrap(sock):
    return ssl.wrap_socket(sock, server_side=True, ssl_version=ssl.PROTOCOL_TLSv1_2)
