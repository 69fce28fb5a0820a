"""Which key may check which algorithm (no cross-type or cross-algorithm confusion)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt import PyJWK
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from seascope.platform.jwks import SigningKey


@pytest.fixture(scope="module")
def rsa_jwk() -> PyJWK:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return PyJWK(RSAAlgorithm.to_jwk(key, as_dict=True))


@pytest.fixture(scope="module")
def ec_jwk() -> PyJWK:
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    return PyJWK(ECAlgorithm.to_jwk(key, as_dict=True))


def test_a_declared_algorithm_is_the_only_one(rsa_jwk: PyJWK) -> None:
    key = SigningKey("k", "RS256", rsa_jwk)
    assert key.fits("RS256")
    assert not key.fits("PS256")
    assert not key.fits("ES256")


def test_undeclared_rsa_keys_check_rsa_algorithms_only(rsa_jwk: PyJWK) -> None:
    key = SigningKey("k", "", rsa_jwk)
    assert key.fits("RS512") and key.fits("PS256")
    assert not key.fits("ES256")


def test_undeclared_ec_keys_check_their_curves_algorithm_only(ec_jwk: PyJWK) -> None:
    key = SigningKey("k", "", ec_jwk)
    assert key.fits("ES384")
    assert not key.fits("ES256")
    assert not key.fits("RS256")
