"""The contract's JSON, as the app names it: a re-export of nlp/contract.py (the engine builds the contract)."""
from nlp.contract import SCHEMA, excerpt_source, narrative_json, record_json, to_contract, write_contract, write_json

__all__ = ["SCHEMA", "excerpt_source", "narrative_json", "record_json", "to_contract", "write_contract", "write_json"]
