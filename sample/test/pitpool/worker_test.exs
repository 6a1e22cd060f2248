defmodule Pitpool.WorkerTest do
  # One real Python worker, no pool: the protocol end to end.
  use ExUnit.Case, async: true

  import Pitpool.TestSupport

  alias Pitpool.Worker

  @moduletag :python_integration
  @moduletag :capture_log

  setup do
    worker = start_supervised!({Worker, python: python!()})
    %{worker: worker}
  end

  test "answers ping and reports its interpreter", %{worker: worker} do
    assert Worker.request(worker, :ping, [], 5_000) == {:ok, "pong"}

    assert {:ok, %{"python" => "3." <> _, "pid" => pid}} =
             Worker.request(worker, "info", [], 5_000)

    assert Worker.os_pid(worker) == {:ok, pid}
  end

  test "round-trips the terms the codec supports", %{worker: worker} do
    terms = [
      0,
      -1,
      255,
      2 ** 31,
      -(2 ** 100),
      2.5,
      -0.125,
      "",
      "naïve ☃",
      <<255, 0, 1>>,
      nil,
      true,
      false,
      :ok,
      [],
      [1, [2, [3]]],
      {},
      {1, "two", :three},
      %{},
      %{"nested" => %{a: [1.5, nil]}, 1 => {2}}
    ]

    for term <- terms do
      assert Worker.request(worker, :echo, [term], 5_000) == {:ok, term}
    end
  end

  test "charlists come back as lists of integers", %{worker: worker} do
    assert Worker.request(worker, :echo, [~c"abc"], 5_000) == {:ok, [?a, ?b, ?c]}
  end

  test "runs the arithmetic and string commands", %{worker: worker} do
    assert Worker.request(worker, :add, [2, 40], 5_000) == {:ok, 42}
    assert Worker.request(worker, :sum, [[1, 2, 3.5]], 5_000) == {:ok, 6.5}
    assert Worker.request(worker, :upper, ["snake"], 5_000) == {:ok, "SNAKE"}
    assert Worker.request(worker, :sleep, [10], 5_000) == {:ok, 10}
  end

  test "Python errors are error replies and the worker keeps serving", %{worker: worker} do
    assert {:error, "unknown command 'nope'" <> _} = Worker.request(worker, :nope, [], 5_000)
    assert {:error, "TypeError: " <> _} = Worker.request(worker, :add, [1], 5_000)
    assert Worker.request(worker, :upper, [1], 5_000) == {:error, "upper expects a string"}

    assert {:error, "cannot decode request: unsupported pid" <> _} =
             Worker.request(worker, :echo, [self()], 5_000)

    assert Worker.request(worker, :ping, [], 5_000) == {:ok, "pong"}
  end

  test "a timeout of 0 fails without reaching Python", %{worker: worker} do
    assert Worker.request(worker, :ping, [], 0) == {:error, :timeout}
    assert Worker.request(worker, :ping, [], 5_000) == {:ok, "pong"}
  end
end
