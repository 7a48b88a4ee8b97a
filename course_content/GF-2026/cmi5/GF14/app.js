// 家族志向のケア: a small cmi5 AU. It speaks to the LMS only through the @xapi/cmi5 library (../lib), which
// reads the launch parameters, fetches the auth token once, reads LMS.LaunchData and sends the statements.
"use strict";

const ANSWERS = { q1: "c", q2: "a", q3: "b" };
const $ = (id) => document.getElementById(id);

function show(text) {
  $("status").textContent = text;
}

function fail(error) {
  show("エラーが発生しました。もう一度受講画面から開いてください。");
  document.body.dataset.state = "error";
  console.error(error);
}

async function main() {
  if (!Cmi5.isCmiAvailable) {
    show("この教材は受講画面（LMS）から開いてください。");
    return;
  }
  const cmi5 = new Cmi5();
  await cmi5.initialize();
  const mode = cmi5.getLaunchData().launchMode;
  const normal = mode === "Normal";
  document.body.dataset.state = "initialized";
  show(normal ? "学習を始めましょう。" : "復習モードです（記録は更新されません）。");
  $("complete").disabled = !normal;
  $("submit").disabled = !normal;
  $("terminate").disabled = false;

  $("complete").addEventListener("click", async () => {
    $("complete").disabled = true;
    try {
      await cmi5.complete();
      document.body.dataset.completed = "true";
      show("学習を完了しました。確認問題に進んでください。");
    } catch (error) {
      fail(error);
    }
  });

  $("quiz").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData($("quiz"));
    const keys = Object.keys(ANSWERS);
    const correct = keys.filter((key) => form.get(key) === ANSWERS[key]).length;
    const scaled = Math.round((correct / keys.length) * 100) / 100;
    const mastery = cmi5.getLaunchData().masteryScore;
    const passed = mastery === undefined ? correct === keys.length : scaled >= mastery;
    const score = { scaled, raw: correct, min: 0, max: keys.length };
    $("submit").disabled = true;
    try {
      if (passed) {
        await cmi5.pass(score);
        $("result").textContent = `合格です（${correct} / ${keys.length} 問正解）。`;
        document.body.dataset.passed = "true";
        show("合格しました。「学習を終了する」を押して終了してください。");
      } else {
        await cmi5.fail(score);
        $("result").textContent = `不合格です（${correct} / ${keys.length} 問正解）。もう一度受講してください。`;
        document.body.dataset.passed = "false";
      }
    } catch (error) {
      fail(error);
    }
  });

  $("terminate").addEventListener("click", async () => {
    $("terminate").disabled = true;
    try {
      await cmi5.terminate();
      document.body.dataset.state = "terminated";
      show("学習を終了しました。");
      const back = cmi5.getLaunchData().returnURL;
      if (back) window.location.assign(back);
    } catch (error) {
      fail(error);
    }
  });
}

main().catch(fail);
