"""The shape of a demo conversation: a scenario (a situation a support team meets, with
its mailbox, tags and share of the desk) told through stories, each one conversation in
order. The customer writes, the agent answers that message, the customer answers the
agent, and so on, so any prefix of a story reads as a thread; a closed thread is the whole
story with the customer's last word."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    subject: str
    # customer, agent, customer, agent...: each answers the one before; ends with the agent
    turns: tuple[str, ...]
    closing: tuple[str, ...] = ()  # the customer's last word once it is solved
    language: str = "en"


@dataclass(frozen=True)
class Scenario:
    key: str
    mailbox: str  # slug
    weight: int
    stories: tuple[Story, ...]
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # internal notes an agent may leave on such a thread
    chase: bool = True  # whether a waiting customer may write again before an answer


# Greetings and sign-offs by language; customers without a name sign without one.
