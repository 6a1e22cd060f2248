defmodule Pitpool.Application do
  @moduledoc """
  Starts the default pool, `Pitpool`, with `:pool_size` workers.

  Set `config :pitpool, start_pool: false` to start no pool (the test environment does,
  so unit tests need no Python); start pools yourself with `Pitpool.Pool`.

  When no interpreter is found the application does not start, and the reason is the
  message from `Pitpool.Python.find/1`.
  """

  use Application

  @impl Application
  def start(_type, _args) do
    with {:ok, children} <- children() do
      Supervisor.start_link(children, strategy: :one_for_one, name: Pitpool.Supervisor)
    end
  end

  defp children do
    if Application.get_env(:pitpool, :start_pool, true) do
      with {:ok, python} <- Pitpool.Python.find() do
        {:ok, [{Pitpool.Pool, name: Pitpool, python: python}]}
      end
    else
      {:ok, []}
    end
  end
end
