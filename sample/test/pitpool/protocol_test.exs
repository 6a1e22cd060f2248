defmodule Pitpool.ProtocolTest do
  use ExUnit.Case, async: true

  alias Pitpool.Protocol

  doctest Protocol

  describe "encode_request/3" do
    test "sends the command as a string and keeps the args as terms" do
      payload = Protocol.encode_request(1, "add", [1, 2.5, %{"k" => [nil, true]}])
      assert :erlang.binary_to_term(payload) == {1, "add", [1, 2.5, %{"k" => [nil, true]}]}
    end

    test "accepts atom and string commands alike" do
      assert Protocol.encode_request(3, :ping, []) == Protocol.encode_request(3, "ping", [])
    end

    test "rejects a negative id or non-list args" do
      assert_raise FunctionClauseError, fn -> Protocol.encode_request(-1, :ping, []) end
      assert_raise FunctionClauseError, fn -> Protocol.encode_request(1, :ping, :nope) end
    end
  end

  describe "decode_reply/1" do
    test "accepts ok and error replies" do
      assert {:ok, {1, :ok, [1, 2]}} =
               Protocol.decode_reply(:erlang.term_to_binary({1, :ok, [1, 2]}))

      assert {:ok, {2, :error, "boom"}} =
               Protocol.decode_reply(:erlang.term_to_binary({2, :error, "boom"}))
    end

    test "rejects terms that are not replies" do
      for term <- [{1, :maybe, 2}, {:id, :ok, 1}, {-1, :ok, 1}, [1, :ok, 2], {1, :ok}] do
        assert Protocol.decode_reply(:erlang.term_to_binary(term)) ==
                 {:error, {:invalid_reply, term}}
      end
    end

    test "never creates atoms for the worker" do
      name = "pitpool_never_an_atom_#{System.unique_integer([:positive])}"
      # {1, :ok, :<name>} with the atom spelled out as SMALL_ATOM_UTF8_EXT.
      payload = <<131, 104, 3, 97, 1, 119, 2, "ok", 119, byte_size(name), name::binary>>

      assert Protocol.decode_reply(payload) == {:error, :invalid_term}
      assert_raise ArgumentError, fn -> String.to_existing_atom(name) end
    end

    test "rejects bytes that are not a term" do
      assert Protocol.decode_reply(<<>>) == {:error, :invalid_term}
      assert Protocol.decode_reply(<<131, 109, 0, 0, 0, 9, 1>>) == {:error, :invalid_term}
    end
  end
end
