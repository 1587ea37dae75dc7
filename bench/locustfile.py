# Locust users for `make bench`: closed loop, no wait, GET / as the other
# tools do. Run one class by name: locust -f bench/locustfile.py ... Plain
from locust import HttpUser, constant, task
from locust.contrib.fasthttp import FastHttpUser


class Plain(HttpUser):
    wait_time = constant(0)

    @task
    def index(self):
        self.client.get("/")


class Fast(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self):
        self.client.get("/")
