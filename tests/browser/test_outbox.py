"""The outbox (static/js/outbox.js) on its own, in the browser: keeping changes of one answer
and acknowledging them, in every order they can come in, never loses the newest values.

A change of an answer is kept before it is sent, and changes of one answer are kept in
order; an acknowledgement comes for a change that was kept, and the server answers one
change after another. Within those rules, the page's events can come in any order: the
test plays every one, each step awaited in turn and all issued at once (as events that
land in the same moment)."""

import pytest

PLAY = """async ({mode, acknowledged}) => {
  const outbox = window.pmappOutbox;
  const user = "layla", answer = "7";
  const operations = [];
  for (let n = 1; n <= 3; n++) operations.push({kind: "keep", n});
  for (let n = 1; n <= acknowledged; n++) operations.push({kind: "acknowledge", n});

  // Every order of the operations in which keeps come in order, acknowledgements come in
  // order, and each change is kept before it is acknowledged.
  function orders(done, left) {
    if (!left.length) return [done];
    return left.flatMap((operation, index) => {
      const kept = (n) => done.some((o) => o.kind === "keep" && o.n === n);
      const acked = (n) => done.some((o) => o.kind === "acknowledge" && o.n === n);
      const allowed = operation.kind === "keep"
        ? operation.n === 1 || kept(operation.n - 1)
        : kept(operation.n) && (operation.n === 1 || acked(operation.n - 1));
      if (!allowed) return [];
      return orders(done.concat([operation]), left.filter((_o, i) => i !== index));
    });
  }

  const problems = [];
  const all = orders([], operations);
  for (const order of all) {
    await outbox.discard(user, answer, (await outbox.get(user, answer) || {}).change);
    let pageVersion = 5; // the version the page has from the server
    const play = (operation) => {
      if (operation.kind === "keep") {
        const record = {user, answer, checklist: "1", url: "/", change: operation.n,
                        values: {comment: "typed " + operation.n}};
        return outbox.keep(record, () => pageVersion);
      }
      pageVersion = 10 + operation.n; // the reply moves the page's version at once
      return outbox.acknowledge(user, answer, operation.n, pageVersion);
    };
    const check = async (done) => {
      const newest = Math.max(...done.filter((o) => o.kind === "keep").map((o) => o.n));
      const acks = done.filter((o) => o.kind === "acknowledge").map((o) => o.n);
      const lastAck = acks.length ? Math.max(...acks) : 0;
      const record = await outbox.get(user, answer);
      const name = order.map((o) => o.kind[0].toUpperCase() + o.n).join(" ");
      if (lastAck >= newest) {
        if (record) problems.push(`${mode} ${name}: acknowledged, still waiting`);
        return;
      }
      if (!record) {
        problems.push(`${mode} ${name}: change ${newest} lost`);
      } else if (record.values.comment !== "typed " + newest) {
        problems.push(`${mode} ${name}: waiting "${record.values.comment}", typed ${newest}`);
      } else if (Number(record.baseVersion) !== (lastAck ? 10 + lastAck : 5)) {
        problems.push(`${mode} ${name}: based on ${record.baseVersion} after ack ${lastAck}`);
      }
    };
    if (mode === "awaited") {
      for (let i = 0; i < order.length; i++) {
        await play(order[i]);
        await check(order.slice(0, i + 1));
      }
    } else {
      await Promise.all(order.map(play));
      await check(order);
    }
  }
  return {orders: all.length, problems};
}"""


@pytest.fixture
def blank_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    # Nobody is signed in: the page, and the service worker as it starts, delete what the
    # device kept, before the test begins (the worker takes the page once it has).
    page.wait_for_function("() => window.pmappSession !== undefined")
    page.evaluate("() => window.pmappSession.cleared.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    yield page
    context.close()


@pytest.mark.parametrize("mode", ["awaited", "together"])
@pytest.mark.parametrize("acknowledged", [0, 1, 2, 3])
def test_keep_and_acknowledge_in_every_order_never_lose_the_newest_values(
    blank_page, mode, acknowledged
):
    result = blank_page.evaluate(PLAY, {"mode": mode, "acknowledged": acknowledged})
    assert result["orders"] >= 1
    assert result["problems"] == []


def test_a_conflict_or_refusal_marks_only_the_change_it_answers(blank_page):
    result = blank_page.evaluate(
        """async () => {
          const outbox = window.pmappOutbox;
          const record = (n) => ({user: "layla", answer: "8", checklist: "1", url: "/",
                                  change: n, values: {comment: "typed " + n}});
          await outbox.keep(record(1), () => 5);
          // While change 1 is on its way, change 2 is kept; the reply to 1 is a conflict.
          await outbox.keep(record(2), () => 5);
          const markedOld = await outbox.mark("layla", "8", 1, {conflict: {version: 9}});
          const droppedOld = await outbox.discard("layla", "8", 1);
          const waiting = await outbox.get("layla", "8");
          const markedNew = await outbox.mark("layla", "8", 2, {invalid: "Too long"});
          const refused = await outbox.get("layla", "8");
          const stale = await outbox.keep(record(1), () => 5); // an older change comes late
          const after = await outbox.get("layla", "8");
          return {markedOld, droppedOld, markedNew, waiting, refused, stale, after};
        }"""
    )
    assert result["markedOld"] is False and result["droppedOld"] is False
    assert result["waiting"]["values"]["comment"] == "typed 2"
    assert "conflict" not in result["waiting"]
    assert result["markedNew"] is True and result["refused"]["invalid"] == "Too long"
    assert result["stale"] is None
    assert result["after"]["values"]["comment"] == "typed 2"


def test_records_belong_to_their_user(blank_page):
    result = blank_page.evaluate(
        """async () => {
          const outbox = window.pmappOutbox;
          const record = (user) => ({user, answer: "9", checklist: "1", url: "/", change: 1,
                                     values: {comment: user}});
          await outbox.keep(record("layla"), () => 1);
          await outbox.keep(record("rami"), () => 1);
          const acknowledged = await outbox.acknowledge("rami", "9", 1, 2);
          return {
            acknowledged,
            layla: (await outbox.list("layla")).map((r) => r.values.comment),
            rami: (await outbox.list("rami")).map((r) => r.values.comment),
          };
        }"""
    )
    assert result == {"acknowledged": "sent", "layla": ["layla"], "rami": []}
