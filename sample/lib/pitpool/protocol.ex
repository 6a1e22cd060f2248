defmodule Pitpool.Protocol do
  @moduledoc """
  The messages exchanged with a Python worker.

  Each message is one `{:packet, 4}` frame (a 4-byte big-endian length, then the
  payload) whose payload is a term in Erlang's External Term Format:

    * request: `{id, command, args}` with `command` a string and `args` a list;
    * reply: `{id, :ok, result}` or `{id, :error, message}`.

  The Python side (`priv/python/pitpool_worker/etf.py`) understands integers, floats,
  atoms, binaries, lists, tuples and maps. Binaries come back as Python strings when
  they are valid UTF-8. Replies are decoded with `:safe`, so a worker cannot create new
  atoms in the VM.
  """

  @typedoc "A request id, unique per worker."
  @type id :: non_neg_integer()

  @typedoc "A command name as given by callers."
  @type command :: atom() | String.t()

  @typedoc "A decoded reply."
  @type reply :: {id(), :ok, term()} | {id(), :error, term()}

  @doc """
  Encodes a request payload.

  ## Examples

      iex> payload = Pitpool.Protocol.encode_request(7, :echo, ["hi"])
      iex> :erlang.binary_to_term(payload)
      {7, "echo", ["hi"]}

  """
  @spec encode_request(id(), command(), list()) :: binary()
  def encode_request(id, command, args)
      when is_integer(id) and id >= 0 and (is_atom(command) or is_binary(command)) and
             is_list(args) do
    :erlang.term_to_binary({id, to_string(command), args})
  end

  @doc """
  Decodes a reply payload.

  ## Examples

      iex> Pitpool.Protocol.decode_reply(:erlang.term_to_binary({7, :ok, "pong"}))
      {:ok, {7, :ok, "pong"}}

      iex> Pitpool.Protocol.decode_reply("not a term")
      {:error, :invalid_term}

  """
  @spec decode_reply(binary()) ::
          {:ok, reply()} | {:error, :invalid_term | {:invalid_reply, term()}}
  def decode_reply(payload) when is_binary(payload) do
    case safe_binary_to_term(payload) do
      {:ok, {id, status, _result} = reply}
      when is_integer(id) and id >= 0 and status in [:ok, :error] ->
        {:ok, reply}

      {:ok, other} ->
        {:error, {:invalid_reply, other}}

      :error ->
        {:error, :invalid_term}
    end
  end

  defp safe_binary_to_term(payload) do
    {:ok, :erlang.binary_to_term(payload, [:safe])}
  rescue
    ArgumentError -> :error
  end
end
