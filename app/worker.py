"""The worker process's entry point: `huey_consumer app.worker.huey`. Making the app registers
every capability's outbox channels and periodic jobs; the worker's tasks then run inside it."""

from app import create_app
from app.notify import worker

worker.bind(create_app())
huey = worker.huey
